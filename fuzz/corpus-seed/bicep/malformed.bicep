param name string

resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  properties: {
    enablePurgeProtection: 
  }
