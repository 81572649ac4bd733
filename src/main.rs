// glibc's allocator slows to a crawl when records built on the reading
// thread are freed on simulating threads (`nurture simulate`: 3× the time
// with two threads as with one); mimalloc frees across threads cheaply.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(nurture::cli::run());
}
