// Features of the native reader: parent/nested children, if, for, existing, scope, modules.
param vaultName string = 'kv-features'
param purgeProtection bool
param deployKeys bool = false
param secretNames array = [
  'alpha'
  'beta'
]
param principalId string = '11111111-1111-1111-1111-111111111111'

var suffix = toLower('PROD')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${vaultName}-${suffix}'
  location: resourceGroup().location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableSoftDelete: true
    enablePurgeProtection: false
    enableRbacAuthorization: true
    publicNetworkAccess: deployKeys ? 'Enabled' : 'Disabled'
  }

  resource nested 'secrets' = {
    name: 'nested-secret'
    properties: {
      attributes: {
        exp: 1700000000
      }
    }
  }
}

resource looped 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for (name, i) in secretNames: {
  parent: vault
  name: '${name}-${i}'
  properties: {
    contentType: 'text/plain'
  }
}]

resource neverKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = if (deployKeys) {
  parent: vault
  name: 'never'
  properties: {}
}

resource owner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, 'owner')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z'
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource elsewhere 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: 'kv-not-deployed-here'
}

module child './modules/kv.bicep' = {
  name: 'child-vault'
  params: {
    name: 'kv-module'
    purge: purgeProtection
  }
}
