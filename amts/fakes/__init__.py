"""In-process fakes of AWS services moto does not provide, for tests and the offline pipeline."""
