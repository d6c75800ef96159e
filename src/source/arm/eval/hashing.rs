//! The deterministic name generators `uniqueString()` and `guid()`, bit-for-bit as Azure computes
//! them, so a name kvscan predicts is the name the deployment creates.
//!
//! Both join their arguments with `-` and hash the UTF-8 bytes of the result.
//!
//! `uniqueString` is the MurmurHash64 variant of Microsoft's ResourceStack library (32-bit lanes,
//! non-standard constants) rendered as 13 characters of lower-case base32. Public ports that agree
//! with each other and with this code: Microsoft's `Azure/terraform-provider-azapi`
//! (`internal/services/functions/unique_string_function.go`), Microsoft's Azure Policy linter
//! (`ExpressionBuiltInFunctions.UniqueString` → `ComputeHash.MurmurHash64`), and the MIT-licensed
//! Aspire/Pulumi port (`ArmFunctions.cs`). The test vectors below come from outputs of real Azure
//! deployments and from those projects' tests.
//!
//! `guid` is an RFC 4122 version-5 (SHA-1, name-based) UUID in the namespace
//! `11fb06fb-712d-4ddd-98c7-e71bbd588830`: the Microsoft docs say it "implements the algorithm from
//! RFC 4122 §4.3" via Logos' `GuidUtility`; the Azure Policy linter source names the namespace
//! (`ARMNamespaceGuid`) and calls `GuidUtility.Create(ARMNamespaceGuid, joined, 5)`, and
//! `GuidUtility` hashes the name as UTF-8.

/// `uniqueString(parts...)`.
pub fn unique_string(parts: &[&str]) -> String {
    base32_13(murmur_hash64(parts.join("-").as_bytes()))
}

/// `guid(parts...)`, lower-case `8-4-4-4-12`.
pub fn guid(parts: &[&str]) -> String {
    uuid_v5(&ARM_GUID_NAMESPACE, parts.join("-").as_bytes())
}

/// `11fb06fb-712d-4ddd-98c7-e71bbd588830` in network byte order.
const ARM_GUID_NAMESPACE: [u8; 16] =
    [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30];

fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut input = Vec::with_capacity(16 + name.len());
    input.extend_from_slice(namespace);
    input.extend_from_slice(name);
    let digest = sha1(&input);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0F) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3F) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The top 65 bits of the hash, five at a time (the last character gets four bits and a zero).
fn base32_13(mut hash: u64) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(char::from(ALPHABET[(hash >> 59) as usize]));
        hash <<= 5;
    }
    out
}

fn murmur_hash64(data: &[u8]) -> u64 {
    const C1: u32 = 597_399_067;
    const C2: u32 = 2_869_860_233;
    let little_endian = |bytes: &[u8]| bytes.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let k1 = little_endian(&block[..4]).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 = (h1 ^ k1).rotate_left(19).wrapping_add(h2).wrapping_mul(5).wrapping_add(1_444_728_091);
        let k2 = little_endian(&block[4..]).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        h2 = (h2 ^ k2).rotate_left(13).wrapping_add(h1).wrapping_mul(5).wrapping_add(197_830_471);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let (low, high) = tail.split_at(tail.len().min(4));
        h1 ^= little_endian(low).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        if !high.is_empty() {
            h2 ^= little_endian(high).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        }
    }
    // The length is mixed in as a 32-bit value, as the C# original does.
    let length = data.len() as u32;
    h1 ^= length;
    h2 ^= length;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = final_mix(h1);
    h2 = final_mix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

fn final_mix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(2_246_822_507);
    h ^= h >> 13;
    h = h.wrapping_mul(3_266_489_909);
    h ^ (h >> 16)
}

/// SHA-1, only to name resources the way ARM's `guid()` does (never for security).
fn sha1(message: &[u8]) -> [u8; 20] {
    use sha1::Digest;
    sha1::Sha1::digest(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known uniqueString outputs. Sources:
    /// - Outputs of real ARM deployments recorded in KingslandConsulting/Kingsland.ArmLinter
    ///   (`src/Kingsland.ArmLinter/Functions/ArmFunctions_UniqueString.cs`).
    /// - Azure/terraform-provider-azapi `internal/services/functions/unique_string_function_test.go`.
    /// - The test vectors of the public `uniquestring.sh` port ("verified against Bicep
    ///   uniqueString() output").
    #[test]
    fn unique_string_matches_published_vectors() {
        let vectors: &[(&[&str], &str)] = &[
            (&["aaa"], "zavj67f3en4hc"),
            (&["bbb"], "w5eragfxe33cy"),
            (&["zzz"], "cryksdzzzawae"),
            (&["xxx", "yyy", "zzz"], "lghi7k5js7itq"),
            (&["/subscriptions/00000000-0000-0000-0000-000000000000", "resource-id"], "cwvxuqg24sifi"),
            (&["test"], "rbgf3xv4ufgzg"),
            (&["hello", "world"], "a7wkljktk6wne"),
            (&["abc"], "cgtzqvhu4i23s"),
            (&["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"], "bmg7c6xu4tw46"),
            (&["foo", "bar", "baz"], "xzi4ioaxtmth4"),
        ];
        for (parts, expected) in vectors {
            assert_eq!(unique_string(parts), *expected, "{parts:?}");
        }
    }

    #[test]
    fn unique_string_covers_every_block_and_tail_length() {
        // Lengths 0..=17 reach every split between 8-byte blocks and the 1..7-byte tail. Expected
        // values from an independent Python transcription of the azapi port (which reproduces the
        // real-deployment vectors above), so they pin the tail handling.
        let expected = [
            "aaaaaaaaaaaaa",
            "eveiun73364hy",
            "3nwuy32jlkvna",
            "zavj67f3en4hc",
            "5apx5bh52nlik",
            "lm2dfoy54kzpg",
            "gvsyi5mftr2oa",
            "4g6gph6gojd3e",
            "rqtah53mgsche",
            "34tva7juavwcw",
            "owg3phbzexkha",
            "ckt4xnbucy4q4",
            "cpftyioh544hu",
            "zllyaz5nlrvlo",
            "xxues5ab6cipy",
            "b25dzew6li3w2",
            "tvh3f6jczcllo",
            "zt6ez74zffw5y",
        ];
        for (length, expected) in expected.iter().enumerate() {
            assert_eq!(unique_string(&[&"a".repeat(length)]), *expected, "length {length}");
        }
        // Non-ASCII input is hashed as UTF-8, as the ports do (not confirmed against Azure).
        assert_eq!(unique_string(&["Ab-é😀"]), "p62so2plw2oac");
    }

    #[test]
    fn sha1_matches_fips_vectors() {
        let hex = |d: [u8; 20]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(sha1(&[b'a'; 1000])), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    }

    #[test]
    fn uuid_v5_matches_rfc_and_python_vectors() {
        // RFC 9562 appendix A.4 and the Python `uuid` documentation, both in the DNS namespace.
        let dns = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
        assert_eq!(uuid_v5(&dns, b"www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
        assert_eq!(uuid_v5(&dns, b"python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }

    #[test]
    fn guid_uses_the_arm_namespace_and_dash_join() {
        // Cross-checked with Python's `uuid.uuid5(UUID('11fb06fb-712d-4ddd-98c7-e71bbd588830'), name)`.
        // No output of a real deployment was found to compare with; see the module comment.
        assert_eq!(guid(&["a"]), "3703365d-5a9f-59b4-bca7-b9681389e4c1");
        assert_eq!(guid(&["a", "b", "c"]), "a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
        assert_eq!(guid(&["a-b-c"]), guid(&["a", "b", "c"]));
        assert_eq!(guid(&["é", "ü"]), "6abcdea6-1eff-5426-9147-aa453b1df7b7");
    }
}
