using 'main.bicep'

param deployKeys = false
