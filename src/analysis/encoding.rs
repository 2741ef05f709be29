//! Bytes that are not UTF-8: detect the legacy encoding (chardetng) and transcode (encoding_rs)
//! so the text can still be analysed and, by `fix`, rewritten as UTF-8.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// Text obtained from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Set when the bytes were not UTF-8.
    pub transcoded: Option<Transcoded>,
}

/// How non-UTF-8 bytes were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcoded {
    /// The detected encoding's WHATWG name (e.g. `windows-1252`).
    pub encoding: &'static str,
    /// Offset in the original bytes of the first byte that is not valid UTF-8.
    pub first_invalid_byte: usize,
    /// The offending byte values (up to 4).
    pub invalid_bytes: Vec<u8>,
    /// Offset in the decoded text of the character that came from that byte.
    pub text_offset: usize,
}

/// Decodes a file's bytes: UTF-8 (an initial BOM is kept as text) as is, anything else by
/// detection.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => {
            return Decoded { text: Cow::Borrowed(text), transcoded: None };
        }
        Err(error) => error,
    };
    let encoding = detect(bytes);
    let (text, _, _) = encoding.decode(bytes);
    let first_invalid_byte = error.valid_up_to();
    let invalid_len = error.error_len().unwrap_or(bytes.len() - first_invalid_byte).min(4);
    let prefix = encoding.decode_without_bom_handling(&bytes[..first_invalid_byte]).0;
    let bom = Encoding::for_bom(bytes).map_or(0, |(_, len)| len);
    // The prefix decoded alone may end inside a multibyte character that the whole decode
    // joins with the invalid byte (Shift_JIS, GBK): point at the start of that character.
    let mut text_offset = prefix.len().saturating_sub(bom).min(text.len());
    while !text.is_char_boundary(text_offset) {
        text_offset -= 1;
    }
    let transcoded = Transcoded {
        encoding: encoding.name(),
        first_invalid_byte,
        invalid_bytes: bytes[first_invalid_byte..first_invalid_byte + invalid_len].to_vec(),
        text_offset,
    };
    Decoded { text: Cow::Owned(text.into_owned()), transcoded: Some(transcoded) }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // The bytes are known not to be UTF-8, so a UTF-8 guess means "no idea": use the most
    // common legacy encoding of Western news text.
    if guess == encoding_rs::UTF_8 { encoding_rs::WINDOWS_1252 } else { guess }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        let decoded = decode("Zürich".as_bytes());
        assert!(matches!(decoded.text, Cow::Borrowed("Zürich")));
        assert!(decoded.transcoded.is_none());
    }

    #[test]
    fn windows_1252_is_detected_and_located() {
        let bytes = b"title: Caf\xe9 in Z\xfcrich\n";
        let decoded = decode(bytes);
        assert_eq!(decoded.text, "title: Café in Zürich\n");
        let t = decoded.transcoded.unwrap();
        assert_eq!((t.encoding, t.first_invalid_byte, t.text_offset), ("windows-1252", 10, 10));
        assert_eq!(t.invalid_bytes, vec![0xe9]);
    }

    #[test]
    fn cyrillic_legacy_text() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Россия и Беларусь подписали соглашение о сотрудничестве");
        let decoded = decode(&bytes);
        assert_eq!(decoded.transcoded.unwrap().encoding, "windows-1251");
        assert!(decoded.text.starts_with("Россия"));
    }
}
