//! The deployment and its surroundings: parameters, variables, copy loops, resource ids and the
//! scope objects (`resourceGroup()`, `subscription()`, ...).
//!
//! Resource ids are built for a resource-group deployment, the scope kvscan scans templates at.

use super::{known, Args, Outcome};
use crate::source::arm::eval::EvalValue;
use serde_json::{json, Value};

pub fn parameters(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    args.ctx().parameter(args.string(0)?)?.into_eval()
}

pub fn variables(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    args.ctx().variable(args.string(0)?)?.into_eval()
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
pub fn copy_index(args: &Args) -> Outcome {
    args.count(0, Some(2))?;
    let (loop_name, offset) = match args.values() {
        [] => (None, 0),
        [Value::String(name)] => (Some(name.as_str()), 0),
        [_] => (None, args.integer(0)?),
        [_, _] => (Some(args.string(0)?), args.integer(1)?),
        _ => return Err(args.error("expects at most 2 arguments")),
    };
    match args.ctx().copy_index(loop_name) {
        Some(index) => index.checked_add(offset).map_or_else(|| Err(args.error("integer overflow")), known),
        None => Ok(EvalValue::unknown(match loop_name {
            Some(name) => format!("copyIndex('{name}') is only known inside the '{name}' copy loop"),
            None => "copyIndex() is only known inside a copy loop".to_string(),
        })),
    }
}

/// `resourceId([subscriptionId], [resourceGroupName], resourceType, name1, name2, ...)`.
pub fn resource_id(args: &Args) -> Outcome {
    let parts = strings(args, 2)?;
    let type_index = type_position(args, &parts)?;
    let deployment = args.ctx().deployment();
    let (subscription, group) = match parts[..type_index] {
        [] => (deployment.subscription_id.as_str(), deployment.resource_group.as_str()),
        [group] => (deployment.subscription_id.as_str(), group),
        [subscription, group] => (subscription, group),
        _ => return Err(args.error("expects at most a subscription id and a resource group name before the type")),
    };
    let path = typed_path(args, parts[type_index], &parts[type_index + 1..])?;
    known(format!("/subscriptions/{subscription}/resourceGroups/{group}/providers/{path}"))
}

/// `subscriptionResourceId([subscriptionId], resourceType, name1, ...)`.
pub fn subscription_resource_id(args: &Args) -> Outcome {
    let parts = strings(args, 2)?;
    let type_index = type_position(args, &parts)?;
    let subscription = match parts[..type_index] {
        [] => args.ctx().deployment().subscription_id.as_str(),
        [subscription] => subscription,
        _ => return Err(args.error("expects at most a subscription id before the type")),
    };
    let path = typed_path(args, parts[type_index], &parts[type_index + 1..])?;
    known(format!("/subscriptions/{subscription}/providers/{path}"))
}

/// `tenantResourceId(resourceType, name1, ...)`.
pub fn tenant_resource_id(args: &Args) -> Outcome {
    let parts = strings(args, 2)?;
    let path = typed_path(args, parts[0], &parts[1..])?;
    known(format!("/providers/{path}"))
}

/// `extensionResourceId(baseResourceId, resourceType, name1, ...)`.
pub fn extension_resource_id(args: &Args) -> Outcome {
    let parts = strings(args, 3)?;
    let base = parts[0].trim_end_matches('/');
    let path = typed_path(args, parts[1], &parts[2..])?;
    known(format!("{base}/providers/{path}"))
}

/// All arguments as strings, at least `min` of them.
fn strings<'a>(args: &'a Args, min: usize) -> Result<Vec<&'a str>, crate::source::arm::eval::EvalError> {
    args.count(min, None)?;
    (0..args.len()).map(|index| args.string(index)).collect()
}

/// The resource type is the first argument with a `/` (`Namespace/type`): subscription ids and
/// resource group names never contain one.
fn type_position(args: &Args, parts: &[&str]) -> Result<usize, crate::source::arm::eval::EvalError> {
    parts
        .iter()
        .position(|part| part.contains('/'))
        .filter(|&index| index + 1 < parts.len())
        .ok_or_else(|| args.error("expects a resource type ('Namespace/type') followed by resource names"))
}

/// `Namespace/type1/type2` with names `a`, `b` → `Namespace/type1/a/type2/b`. Names may also be
/// given joined by `/` (`'vnet/subnet'`).
fn typed_path(args: &Args, resource_type: &str, names: &[&str]) -> Result<String, crate::source::arm::eval::EvalError> {
    let segments: Vec<&str> = resource_type.trim_matches('/').split('/').collect();
    let name_segments: Vec<&str> = names.iter().flat_map(|name| name.split('/')).collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err(args.error(format!("'{resource_type}' is not a resource type ('Namespace/type')")));
    }
    if name_segments.len() != segments.len() - 1 {
        return Err(args.error(format!(
            "the type '{resource_type}' needs {} resource name(s), got {}",
            segments.len() - 1,
            name_segments.len()
        )));
    }
    let mut path = segments[0].to_string();
    for (kind, name) in segments[1..].iter().zip(name_segments) {
        path.push_str(&format!("/{kind}/{name}"));
    }
    Ok(path)
}

/// `resourceGroup()`: id, name, type, location and provisioning state. Tags and `managedBy` are
/// not modelled (accessing them is unknown).
pub fn resource_group(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    let d = args.ctx().deployment();
    known(json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}", d.subscription_id, d.resource_group),
        "name": d.resource_group,
        "type": "Microsoft.Resources/resourceGroups",
        "location": d.location,
        "properties": { "provisioningState": "Succeeded" },
    }))
}

pub fn subscription(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    let d = args.ctx().deployment();
    known(json!({
        "id": format!("/subscriptions/{}", d.subscription_id),
        "subscriptionId": d.subscription_id,
        "tenantId": d.tenant_id,
        "displayName": d.subscription_name,
    }))
}

/// `tenant()`: id and tenant id (country and display name are not modelled).
pub fn tenant(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    let d = args.ctx().deployment();
    known(json!({ "id": format!("/tenants/{}", d.tenant_id), "tenantId": d.tenant_id }))
}

/// `deployment()`: only the name; the template link and contents are unknown.
pub fn deployment(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    known(json!({ "name": args.ctx().deployment().deployment_name }))
}

/// `environment()`: the public Azure cloud (`AzureCloud`), as the ARM documentation lists it.
pub fn environment(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    known(json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net"
        }
    }))
}
