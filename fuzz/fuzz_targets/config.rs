#![no_main]
// The body and its oracle: invokeai_lint::fuzzing::config (shared with tests/fuzz_corpus.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| invokeai_lint::fuzzing::config(data));
