//! Every store integration test but those that need a process of their own, in one binary:
//! one link of the dependency tree instead of one per file.

mod advisory_lock;
mod repository;
