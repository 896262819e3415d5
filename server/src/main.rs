fn main() -> std::process::ExitCode {
    blueprint_server::cli::run()
}
