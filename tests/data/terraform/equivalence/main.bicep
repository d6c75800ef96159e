// The equivalence vault: the same settings as arm.json, hcl/main.tf and plan.json.
param environment string = 'prod'

var vaultName = 'kv-equiv-${environment}'

resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: 'eastus'
  properties: {
    tenantId: '11111111-1111-1111-1111-111111111111'
    sku: {
      family: 'A'
      name: 'standard'
    }
    enablePurgeProtection: environment == 'prod'
    softDeleteRetentionInDays: 7
    enableRbacAuthorization: false
    publicNetworkAccess: 'Enabled'
    enabledForDeployment: true
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      ipRules: [
        {
          value: '0.0.0.0/0'
        }
      ]
    }
    accessPolicies: [
      {
        tenantId: '11111111-1111-1111-1111-111111111111'
        objectId: '22222222-2222-2222-2222-222222222222'
        permissions: {
          secrets: [
            'Get'
            'List'
            'Purge'
          ]
        }
      }
    ]
  }
}

resource api 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: kv
  name: 'api-key'
  properties: {
    value: 'not-a-real-secret'
    contentType: 'text/plain'
  }
}

resource cmk 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: kv
  name: 'cmk'
  properties: {
    kty: 'RSA'
    keySize: 2048
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      exp: 1814313600
    }
    rotationPolicy: {
      lifetimeActions: [
        {
          trigger: {
            timeAfterCreate: 'P90D'
          }
          action: {
            type: 'rotate'
          }
        }
      ]
      attributes: {
        expiryTime: 'P2Y'
      }
    }
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: kv
  properties: {
    workspaceId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kvscan-rg/providers/Microsoft.OperationalInsights/workspaces/law'
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}
