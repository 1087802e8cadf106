fn main() {
    std::process::exit(invokeai_lint::cli::main());
}
