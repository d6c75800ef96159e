# METADATA
# title: Keys use a strong RSA size or an approved elliptic curve
# description: |
#   RSA keys shorter than 2048 bits are below every current guideline (NIST SP 800-57, BSI,
#   ANSSI) and can no longer be assumed secure; elliptic-curve keys should use the NIST curves
#   that FIPS validations, HSMs and most clients support. `P-256K` (secp256k1) is a
#   cryptocurrency curve outside those recommendations and is not allowed by default.
#
#   Verdict: one finding per enabled key. A key whose `properties.kty` is `RSA` or `RSA-HSM`
#   (case-insensitive) fails when `properties.keySize` is a number below `minRsaKeySize`
#   (default 2048). A key whose `kty` is `EC` or `EC-HSM` fails when `properties.curveName` is a
#   string not in `allowedCurves` (default `P-256`, `P-384`, `P-521`; compared
#   case-insensitively). An absent or `null` `keySize` or `curveName` is unknown and passes;
#   other key types (`oct`, `oct-HSM`) are not evaluated. Disabled keys
#   (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV032
#   severity: medium
#   scope: vault
#   tags: [keys, cryptography]
#   checks:
#     arm: keys[].properties.keySize >= 2048 when kty is RSA/RSA-HSM; keys[].properties.curveName in (P-256, P-384, P-521) when kty is EC/EC-HSM
#     terraform: azurerm_key_vault_key.key_size (key_type RSA/RSA-HSM), azurerm_key_vault_key.curve (key_type EC/EC-HSM)
#   remediation: |
#     Key size and curve cannot change: create a new key, move its users (re-wrap data keys,
#     re-sign), then disable the weak key.
#
#     - az CLI: `az keyvault key create --vault-name <vault> --name <new-key> --kty RSA-HSM --size 3072` (or `--kty EC-HSM --curve P-256`)
#     - Bicep: `properties: { kty: 'RSA-HSM', keySize: 3072 }` (or `kty: 'EC-HSM', curveName: 'P-256'`) on `Microsoft.KeyVault/vaults/keys`
#     - Terraform: `key_type = "RSA-HSM"` with `key_size = 3072` (or `key_type = "EC-HSM"` with `curve = "P-256"`) on `azurerm_key_vault_key`
#   benchmarks:
#     azure-policy: 82067dbb-e53b-4e06-b631-546d197452d9
#   parameters:
#     minRsaKeySize: 2048
#     allowedCurves: ["P-256", "P-384", "P-521"]
package kvscan.rules.key_strength

import rego.v1

import data.kvscan.lib

# RSA and EC keys are separate bodies, each with its tests inline rather than in a helper: the
# two never both apply to a key, most keys pass, and a function call per key costs regorus's VM
# more than all of a body's tests (measured: 56 K → 12 K instructions per key).
deny contains finding if {
	some index, key in keys
	kty := key.properties.kty
	is_string(kty)
	lower(kty) in {"rsa", "rsa-hsm"}
	size := key.properties.keySize
	is_number(size)
	size < min_rsa_size
	not key.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' is an %s key of %v bits, below the minimum of %v", [key.name, input.vault.resource.name, kty, size, min_rsa_size]),
		"path": ["keys", index, "properties", "keySize"],
	}
}

deny contains finding if {
	some index, key in keys
	kty := key.properties.kty
	is_string(kty)
	lower(kty) in {"ec", "ec-hsm"}
	curve := key.properties.curveName
	is_string(curve)
	not upper(curve) in allowed_curves
	not key.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' uses elliptic curve %s, which is not an allowed curve (%s)", [key.name, input.vault.resource.name, curve, concat(", ", sort(allowed_curve_names))]),
		"path": ["keys", index, "properties", "curveName"],
	}
}

keys := input.vault.keys if {
	is_array(input.vault.keys)
} else := []

min_rsa_size := lib.param("minRsaKeySize", 2048)

default_curves := ["P-256", "P-384", "P-521"]

allowed_curve_names := [name |
	some name in curve_param
	is_string(name)
]

curve_param := lib.param("allowedCurves", default_curves) if {
	is_array(lib.param("allowedCurves", default_curves))
} else := default_curves

allowed_curves := {upper(name) | some name in allowed_curve_names}
