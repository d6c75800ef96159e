// Mirrors shared/iac-examples/arm/quickstart-key-vault-with-logging-create.json.
param keyVaultName string = 'kv-${uniqueString(resourceGroup().id)}'
param location string = resourceGroup().location
param objectId string
param keysPermissions array = [
  'all'
]
param secretsPermissions array = [
  'all'
]
@allowed([
  'standard'
  'premium'
])
param vaultSku string = 'standard'
param logsRetentionInDays int = 0
param protectWithLocks bool = true

var diagnosticStorageAccountName = 'diagst${uniqueString(subscription().id, resourceGroup().id)}'

resource keyvault 'Microsoft.KeyVault/vaults@2021-04-01-preview' = {
  name: keyVaultName
  location: location
  tags: {
    displayName: 'Key Vault with logging'
  }
  properties: {
    sku: {
      name: vaultSku
      family: 'A'
    }
    tenantId: subscription().tenantId
    accessPolicies: [
      {
        objectId: objectId
        tenantId: subscription().tenantId
        permissions: {
          keys: keysPermissions
          secrets: secretsPermissions
        }
      }
    ]
  }
}

resource diagnosticStorage 'Microsoft.Storage/storageAccounts@2021-06-01' = {
  name: diagnosticStorageAccountName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  tags: {
    displayName: 'Key Vault ${keyVaultName} diagnostics storage account'
  }
}

resource service 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: keyvault
  name: 'service'
  properties: {
    storageAccountId: diagnosticStorage.id
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
        retentionPolicy: {
          enabled: true
          days: logsRetentionInDays
        }
      }
    ]
  }
}

resource keyVaultLock 'Microsoft.Authorization/locks@2017-04-01' = if (protectWithLocks) {
  scope: keyvault
  name: 'keyVaultDoNotDelete'
  properties: {
    level: 'CanNotDelete'
  }
}
