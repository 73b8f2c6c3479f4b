//! The two decodings `scan` needs before it can see a key: base64 (a few dozen
//! characters around a match, so a table beats a crate) and UTF-16 with a byte-order
//! mark, streamed chunk by chunk into UTF-8 with the standard library's decoder.

/// Decodes standard base64 from the start of `text`, stopping at the first character
/// outside the alphabet (padding included); a last partial group gives what it holds.
pub fn base64(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text {
        let Some(value) = sextet(c) else { break };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // The byte is the top 8 of the accumulated bits.
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn sextet(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// UTF-16 to UTF-8, fed in chunks of any size: an odd byte or a high surrogate at a
/// chunk's end waits for the next. Unpaired surrogates become U+FFFD, as rg does.
pub struct Utf16Decoder {
    big_endian: bool,
    odd: Option<u8>,
    high: Option<u16>,
}

impl Utf16Decoder {
    pub fn new(big_endian: bool) -> Self {
        Self {
            big_endian,
            odd: None,
            high: None,
        }
    }

    /// Appends the UTF-8 of `input` to `out`; `eof` flushes what waits.
    pub fn decode(&mut self, mut input: &[u8], eof: bool, out: &mut Vec<u8>) {
        let mut units = Vec::with_capacity(input.len() / 2 + 2);
        units.extend(self.high.take());
        if let Some(first) = self.odd.take()
            && let Some((&second, rest)) = input.split_first()
        {
            units.push(self.unit([first, second]));
            input = rest;
        }
        let mut pairs = input.chunks_exact(2);
        units.extend(pairs.by_ref().map(|p| self.unit([p[0], p[1]])));
        if let [last] = pairs.remainder() {
            self.odd = Some(*last);
        }
        if !eof
            && let Some(&last) = units.last()
            && (0xD800..0xDC00).contains(&last)
        {
            self.high = units.pop();
        }
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
    }

    fn unit(&self, bytes: [u8; 2]) -> u16 {
        if self.big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        }
    }
}
