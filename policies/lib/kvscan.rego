# Helpers shared by the built-in rules. User policies may import them too: `import data.kvscan.lib`.
package kvscan.lib

import rego.v1

# A parameter from data.kvscan.config, or its default when the scan did not set it.
param(name, default_value) := object.get(data.kvscan.config, name, default_value)

# "Now" is data.kvscan.config.now (Unix seconds; --now makes it reproducible). It is not offered
# as a rule here on purpose: regorus evaluates every rule of a package (and of the packages below
# it) when one of them is read through an import, which made `lib.now` cost more than the rules
# that used it. This package holds functions only.

# Case-insensitive string equality; false (not undefined) for non-strings.
equals_ci(value, expected) if {
	is_string(value)
	lower(value) == lower(expected)
}

# An object that Azure reports as disabled is not in use, so object rules skip it.
disabled(object) if object.properties.attributes.enabled == false

# ARM id of a vault child (secret, key, certificate). ARM listings carry it in `id`; data-plane
# shapes carry a URL there instead, so fall back to <vault id>/<kind>/<name>.
object_id(vault_resource, kind, object) := object.id if {
	is_string(object.id)
	startswith(object.id, "/")
} else := sprintf("%s/%s/%s", [vault_resource.id, kind, object.name])

# object_id for a whole vault record. Rules should prefer object_id(input.vault.resource, …):
# kvscan converts only the record members the rules name (docs/writing-policies.md).
child_id(vault, kind, object) := object_id(vault.resource, kind, object)
