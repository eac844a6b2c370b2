#[plux::plugin(namespace = "my.hooks")]
fn first<'a, 'b: 'a>(words: &'a [&'b str]) -> &'a str {
    words[0]
}

fn main() {}
