fn main() {
    std::process::exit(nurture::cli::run());
}
