//! The checksum that seals a shard file: FNV-1a (64 bits) of the file's JSON object without its
//! last member, `"checksum": "<16 hex digits>"`. Any change of one byte of what it covers changes
//! it (each step of FNV-1a is a bijection of its state), so an edited or damaged shard is refused
//! rather than merged.

/// The last member of a sealed shard file, up to its value.
const KEY: &str = ",\"checksum\":\"";

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `json` (one JSON object, as serde writes it) with its checksum appended as its last member,
/// and a newline.
pub(super) fn seal(json: &[u8]) -> Vec<u8> {
    let body = json.strip_suffix(b"}").expect("a JSON object");
    let mut sealed = body.to_vec();
    sealed.extend_from_slice(format!("{KEY}{:016x}\"}}\n", fnv1a(json)).as_bytes());
    sealed
}

/// Checks the checksum of a shard file's text; why it fails otherwise.
pub(super) fn verify(text: &str) -> Result<(), &'static str> {
    let end = text.trim_end();
    let at = end
        .rfind(KEY)
        .ok_or("has no checksum (written before shard files carried one, or damaged); run its shard again")?;
    let written = end[at + KEY.len()..]
        .strip_suffix("\"}")
        .ok_or("damaged shard file: the checksum is not its last member")?;
    let mut payload = end.as_bytes()[..at].to_vec();
    payload.push(b'}');
    if format!("{:016x}", fnv1a(&payload)) != written {
        return Err("damaged shard file: its checksum does not match its content (edited or corrupted)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_object_verifies_and_any_changed_byte_does_not() {
        let json = br#"{"a":1,"b":[2,3],"c":"x"}"#;
        let sealed = String::from_utf8(seal(json)).unwrap();
        assert!(
            sealed.starts_with(r#"{"a":1,"b":[2,3],"c":"x","checksum":""#),
            "{sealed}"
        );
        assert_eq!(verify(&sealed), Ok(()));
        for i in 0..json.len() - 1 {
            let mut edited = sealed.clone().into_bytes();
            edited[i] ^= 0x01;
            let edited = String::from_utf8(edited).unwrap();
            assert!(verify(&edited).is_err(), "{edited}");
        }
        assert!(verify(std::str::from_utf8(json).unwrap())
            .unwrap_err()
            .contains("no checksum"));
    }
}
