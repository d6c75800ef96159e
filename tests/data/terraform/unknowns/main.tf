variable "purge_protection" {
  type = bool
}

variable "name" {
  default = "kv-unknowns"
}

resource "azurerm_key_vault" "kv" {
  count                    = 2
  name                     = "${var.name}-${count.index}"
  location                 = "eastus"
  resource_group_name      = "kvscan-rg"
  tenant_id                = data.azurerm_client_config.current.tenant_id
  sku_name                 = "premium"
  purge_protection_enabled = var.purge_protection
  rbac_authorization_enabled = true
  public_network_access_enabled = false
}

resource "azurerm_key_vault_secret" "s" {
  count           = 2
  name            = "db-password"
  key_vault_id    = azurerm_key_vault.kv[count.index].id
  value           = "x"
  expiration_date = "2026-12-01T00:00:00Z"
}
