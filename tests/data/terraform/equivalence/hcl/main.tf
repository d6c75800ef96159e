# The equivalence vault: the same settings as ../arm.json and ../plan.json.
variable "environment" {
  default = "prod"
}

locals {
  vault_name = "kv-equiv-${var.environment}"
}

resource "azurerm_resource_group" "rg" {
  name     = "kvscan-rg"
  location = "eastus"
}

resource "azurerm_key_vault" "kv" {
  name                          = local.vault_name
  location                      = azurerm_resource_group.rg.location
  resource_group_name           = azurerm_resource_group.rg.name
  tenant_id                     = "11111111-1111-1111-1111-111111111111"
  sku_name                      = "standard"
  purge_protection_enabled      = var.environment == "prod"
  soft_delete_retention_days    = 7
  rbac_authorization_enabled    = false
  public_network_access_enabled = true
  enabled_for_deployment        = true

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = ["0.0.0.0/0"]
  }

  access_policy {
    tenant_id          = "11111111-1111-1111-1111-111111111111"
    object_id          = "22222222-2222-2222-2222-222222222222"
    secret_permissions = ["Get", "List", "Purge"]
  }
}

resource "azurerm_key_vault_secret" "api" {
  name         = "api-key"
  key_vault_id = azurerm_key_vault.kv.id
  value        = "not-a-real-secret"
  content_type = "text/plain"
}

resource "azurerm_key_vault_key" "cmk" {
  name            = "cmk"
  key_vault_id    = azurerm_key_vault.kv.id
  key_type        = "RSA"
  key_size        = 2048
  key_opts        = ["wrapKey", "unwrapKey"]
  expiration_date = "2027-06-30T00:00:00Z"

  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
    expire_after = "P2Y"
  }
}

resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.kv.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kvscan-rg/providers/Microsoft.OperationalInsights/workspaces/law"

  enabled_log {
    category = "AuditEvent"
  }
}
