fn main() -> std::process::ExitCode {
    blueprint_server::logging::init_cli();
    blueprint_server::cli::run()
}
