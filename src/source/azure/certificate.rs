//! A service principal's certificate as a client assertion: a JWT (RFC 7523) signed with the
//! certificate's RSA key, fresh for every token request. azure_identity's own certificate
//! credential reads only PKCS#12 through OpenSSL; this reads the PEM files most tooling writes
//! and signs with aws-lc-rs, which rustls already brings, so the binary stays OpenSSL-free.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha1::{Digest, Sha1};
use std::sync::Arc;

/// How long an assertion is valid: Entra accepts up to ten minutes.
const LIFETIME_SECONDS: i64 = 300;

#[derive(Clone)]
pub struct CertificateAssertion {
    client_id: String,
    /// The token endpoint: the assertion's audience.
    audience: String,
    key: Arc<RsaKeyPair>,
    /// base64url(SHA-1(certificate DER)), which tells Entra which certificate signed.
    thumbprint: String,
}

impl std::fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAssertion").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Reads a PEM file holding the certificate and its RSA private key (PKCS#8 or PKCS#1).
    pub fn from_pem(
        pem: &[u8],
        file: &str,
        client_id: &str,
        tenant: &str,
        authority_host: &str,
    ) -> Result<Self, String> {
        let convert = "expected a PEM file with the certificate and its RSA private key; convert a .pfx with \
                       `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`";
        let certificate = CertificateDer::pem_slice_iter(pem)
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| format!("{file}: no certificate found: {convert}"))?;
        let key = match PrivateKeyDer::from_pem_slice(pem) {
            Ok(PrivateKeyDer::Pkcs8(der)) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(der)) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
            Ok(_) => {
                return Err(format!(
                    "{file}: the private key is not an RSA key (Entra certificate credentials use RSA)"
                ))
            }
            Err(_) => return Err(format!("{file}: no private key found: {convert}")),
        }
        .map_err(|e| format!("{file}: the RSA private key cannot be used: {e}"))?;
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha1::digest(certificate.as_ref()));
        Ok(CertificateAssertion {
            client_id: client_id.to_string(),
            audience: format!("{}/{tenant}/oauth2/v2.0/token", authority_host.trim_end_matches('/')),
            key: Arc::new(key),
            thumbprint,
        })
    }

    fn sign(&self, now: i64) -> Result<String, String> {
        let random = SystemRandom::new();
        let mut nonce = [0u8; 16];
        random.fill(&mut nonce).map_err(|_| "no randomness for the assertion id".to_string())?;
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "x5t": self.thumbprint });
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": nonce.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECONDS,
        });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &random, signing_input.as_bytes(), &mut signature)
            .map_err(|_| "signing the client assertion failed".to_string())?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.sign(chrono::Utc::now().timestamp())
            .map_err(|message| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_without_a_key_or_certificate_say_what_is_expected() {
        let error = CertificateAssertion::from_pem(b"not pem", "cert.pem", "c", "t", "https://login.example")
            .expect_err("invalid");
        assert!(error.contains("cert.pem: no certificate found") && error.contains("openssl pkcs12"), "{error}");
    }
}
