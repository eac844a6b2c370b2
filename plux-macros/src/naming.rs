//! Default plugin names, derived from the item's identifier.

/// `MyCliPlugin` → `my_cli_plugin`, `HTTPServer` → `http_server`, `r#type` → `type`.
pub(crate) fn snake_case(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars.get(i - 1).copied().unwrap_or('_');
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev != '_' && (prev.is_lowercase() || prev.is_ascii_digit() || next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn converts() {
        assert_eq!(snake_case("MyCliPlugin"), "my_cli_plugin");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("S3"), "s3");
        assert_eq!(snake_case("configure_logging"), "configure_logging");
        assert_eq!(snake_case("r#type"), "type");
        assert_eq!(snake_case("Aws2Plugin"), "aws2_plugin");
    }
}
