//! The live collector against the fake ARM server (tests/support/fake_arm): real HTTPS with a CA
//! made at test start, a real client-secret (or GitHub OIDC) token flow, the real response
//! shapes, and injected faults. kvscan reaches the fake only through a cloud profile.

#[path = "support/fake_arm/mod.rs"]
mod fake_arm;

use assert_cmd::Command;
use fake_arm::{FakeArm, Faults, TenantSpec};
use kvscan::inventory::Inventory;
use kvscan::source::azure::{
    self, progress, AuthMode, CloudProfile, Collected, Discovery, HttpOptions, LiveOptions, Selection,
};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// Short waits so fault tests finish quickly; the policy is the same as the default.
fn quick() -> HttpOptions {
    HttpOptions {
        concurrency: 8,
        base_backoff: Duration::from_millis(40),
        request_timeout: Duration::from_secs(2),
        ..HttpOptions::default()
    }
}

fn collect(fake: &FakeArm, http: HttpOptions) -> Collected {
    collect_with(fake, http, Selection::default(), AuthMode::Env, fake.env())
}

fn collect_with(
    fake: &FakeArm,
    http: HttpOptions,
    selection: Selection,
    auth: AuthMode,
    env: Vec<(&str, String)>,
) -> Collected {
    let profile = CloudProfile::from_file("cloud.json", &fake.cloud_profile().to_string()).expect("profile");
    let options =
        LiveOptions { profile, auth, selection, http, ca_certs: vec![fake.ca_file()], progress: progress::Mode::Quiet };
    let env: HashMap<String, String> = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let lookup = move |name: &str| env.get(name).cloned();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (collected, _http) = runtime.block_on(azure::collect_live(&options, &lookup)).expect("collection");
    collected
}

fn vault(inventory: &Inventory, name: &str) -> kvscan::inventory::VaultParts {
    let record = inventory.vaults.iter().find(|v| v.name() == name).unwrap_or_else(|| panic!("vault {name} missing"));
    record.parts().expect("parts")
}

/// The binary with none of the machine's Azure credentials, so only the fake's are used.
fn kvscan(_fake: &FakeArm) -> Command {
    let mut command = Command::cargo_bin("kvscan").expect("binary");
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
        "SSL_CERT_FILE",
        "KVSCAN_CLOUD",
    ] {
        command.env_remove(name);
    }
    // No `az` on PATH: auto mode must not fall through to a developer's CLI login.
    command.env("PATH", "/nonexistent");
    command
}

fn live_flags(fake: &FakeArm) -> Vec<String> {
    vec![
        "--cloud-config".into(),
        fake.cloud_file().display().to_string(),
        "--ca-cert".into(),
        fake.ca_file().display().to_string(),
    ]
}

#[test]
fn collects_a_complete_inventory_across_pages() {
    let faults = Faults { page_size: 2, graph_page_size: 5, ..Faults::none() };
    let fake = FakeArm::start(TenantSpec::default(), faults);
    let Collected { inventory, discovery } = collect(&fake, quick());
    assert_eq!(discovery, Discovery::ResourceGraph);
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    assert_eq!(inventory.subscriptions.len(), 3);
    assert_eq!(inventory.tenants.len(), 1);
    assert_eq!(inventory.vaults.len(), 12);
    assert_eq!(inventory.pricings.len(), 3);
    let ids: Vec<&str> = inventory.vaults.iter().map(|v| v.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id.to_ascii_lowercase());
    assert_eq!(ids, sorted, "vaults are sorted by id");
    for record in &inventory.vaults {
        let parts = record.parts().expect("parts");
        assert_eq!(parts.source.kind, kvscan::inventory::SourceKind::Live);
        assert_eq!(parts.resource["type"], "Microsoft.KeyVault/vaults");
        assert_eq!(parts.secrets.len(), 5, "{}: secrets over 3 pages", record.name());
        assert_eq!(parts.role_assignments.len(), 5, "{}: vault, inherited and per-secret assignments", record.name());
        assert!(parts.role_assignments.iter().all(|a| a["roleName"].is_string()), "role names resolved");
        assert_eq!(parts.keys.len(), 2);
        for key in &parts.keys {
            assert!(key["properties"]["kty"].is_string(), "key type read per key: {key}");
            assert_eq!(key["properties"]["rotationPolicy"]["lifetimeActions"][0]["action"]["type"], "Rotate");
        }
        assert_eq!(parts.certificates.len(), 2);
        assert!(parts.certificates.iter().all(|c| c["properties"]["policy"]["key_props"].is_object()));
        assert!(parts.secrets.iter().all(|s| s.get("value").is_none() && s["properties"].get("value").is_none()));
    }
    let hardened = vault(&inventory, "kv-s0-v0");
    assert_eq!(hardened.resource["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(hardened.diagnostic_settings.len(), 1);
    assert!(vault(&inventory, "kv-s0-v3").diagnostic_settings.is_empty());
    // Graph returns the four live principals; the orphan stays unresolved.
    let kinds: Vec<(String, Option<String>)> = inventory
        .principals
        .iter()
        .map(|p| (p.display_name.clone().unwrap_or_default(), p.principal_type.clone()))
        .collect();
    assert_eq!(inventory.principals.len(), 4, "{kinds:?}");
    assert!(kinds.contains(&("id-payments-api".into(), Some("ManagedIdentity".into()))));
    assert_eq!(inventory.role_definitions.len(), 4, "one definition per role GUID");

    let log = fake.requests();
    assert!(log.iter().any(|r| r.target.contains("%24skiptoken=")), "ARM lists were paged");
    let graph_pages = log.iter().filter(|r| r.target.starts_with("/providers/Microsoft.ResourceGraph")).count();
    assert!(graph_pages >= 3, "12 vaults at 5 rows a page: {graph_pages} Resource Graph requests");
    assert!(
        log.iter().all(|r| r.status != 401 || r.host.starts_with("localhost")),
        "only the data-plane challenge is unauthenticated"
    );
}

#[test]
fn cli_collect_writes_a_deterministic_inventory_that_scans_like_live() {
    let fake = FakeArm::start(TenantSpec::default(), Faults::none());
    let dir = tempfile::tempdir().expect("dir");
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    for path in [&first, &second] {
        kvscan(&fake)
            .arg("collect")
            .args(live_flags(&fake))
            .args(["--auth", "env", "--output"])
            .arg(path)
            .envs(fake.env())
            .assert()
            .code(0);
    }
    let text = std::fs::read_to_string(&first).expect("inventory");
    let again = std::fs::read_to_string(&second).expect("inventory");
    let differing = text.lines().zip(again.lines()).find(|(a, b)| a != b);
    assert!(text == again, "same tenant, byte-identical inventory; first difference: {differing:?}");
    let from_file =
        kvscan(&fake).args(["scan", "--format", "json", "--fail-on", "none"]).arg(&first).output().expect("scan");
    assert_eq!(from_file.status.code(), Some(0));
    let live = kvscan(&fake)
        .args(["scan", "--live", "--format", "json", "--fail-on", "none", "--auth", "env"])
        .args(live_flags(&fake))
        .envs(fake.env())
        .output()
        .expect("scan --live");
    assert_eq!(live.status.code(), Some(0), "{}", String::from_utf8_lossy(&live.stderr));
    let findings = |out: &[u8]| -> Vec<(String, String)> {
        let report: Value = serde_json::from_slice(out).expect("json report");
        let mut list: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["ruleId"].as_str().unwrap_or_default().to_string(),
                    f["resource"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        list.sort();
        list
    };
    let (live, saved) = (findings(&live.stdout), findings(&from_file.stdout));
    assert_eq!(live, saved, "scan --live and a scan of the saved inventory agree");
    let rules: std::collections::BTreeSet<&str> = live.iter().map(|(r, _)| r.as_str()).collect();
    for rule in ["KV001", "KV003", "KV005", "KV020"] {
        assert!(rules.contains(rule), "{rule} fires on the fake's non-compliant vaults: {rules:?}");
    }
    // The default gate fails on the high-severity findings.
    kvscan(&fake).arg("scan").arg(&first).assert().code(1);
}

#[test]
fn a_throttling_storm_waits_for_retry_after() {
    let faults = Faults { throttle: Some((0.3, 1)), ..Faults::none() };
    let spec = TenantSpec { subscriptions: 2, vaults_per_subscription: 3, ..TenantSpec::default() };
    let fake = FakeArm::start(spec, faults);
    let Collected { inventory, .. } = collect(&fake, quick());
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    assert_eq!(inventory.vaults.len(), 6);
    let log = fake.requests();
    let throttled: Vec<_> = log.iter().filter(|r| r.status == 429).collect();
    assert!(throttled.len() >= 10, "a storm: {} of {} requests throttled", throttled.len(), log.len());
    for hit in throttled {
        let retry = log
            .iter()
            .find(|r| r.at > hit.at && r.target == hit.target && r.method == hit.method && r.host == hit.host)
            .unwrap_or_else(|| panic!("{} was never retried", hit.target));
        assert!(
            retry.at >= hit.at + Duration::from_millis(990),
            "{} retried {:?} after its 429, before Retry-After: 1 ran out",
            hit.target,
            retry.at - hit.at
        );
    }
}

#[test]
fn transient_errors_and_timeouts_are_retried_and_a_dead_vault_is_reported() {
    let faults = Faults {
        transient_share: 0.3,
        slow_share: 0.08,
        slow_for: Duration::from_secs(4),
        failing_vault: Some("kv-s1-v2".into()),
        ..Faults::none()
    };
    let fake = FakeArm::start(TenantSpec::default(), faults);
    let Collected { inventory, .. } = collect(&fake, quick());
    assert_eq!(inventory.vaults.len(), 12, "the failing vault is kept with what could be read");
    let dead = inventory.vaults.iter().find(|v| v.name() == "kv-s1-v2").expect("vault").id().to_string();
    assert!(!inventory.errors.is_empty());
    for error in &inventory.errors {
        assert_eq!(error.scope, dead, "only the failing vault has errors: {error:?}");
        assert!(error.message.contains("InternalServerError"), "{}", error.message);
    }
    for name in fake.vault_names().iter().filter(|n| *n != "kv-s1-v2") {
        let parts = vault(&inventory, name);
        assert_eq!(parts.secrets.len(), 5, "{name}");
        assert_eq!(parts.role_assignments.len(), 5, "{name}");
    }
    let log = fake.requests();
    assert!(log.iter().any(|r| r.status == 503), "faults were injected");
    let dead_path = format!("{dead}/secrets");
    let tries = log.iter().filter(|r| r.target.starts_with(&dead_path)).count();
    assert_eq!(tries, 5, "a permanently failing call is tried exactly max_tries times");
}

#[test]
fn a_forbidden_subscription_is_an_error_and_exit_3() {
    let faults = Faults { forbidden_subscription: Some(1), ..Faults::none() };
    let fake = FakeArm::start(TenantSpec::default(), faults);
    let output = kvscan(&fake)
        .args(["scan", "--live", "--format", "json", "--fail-on", "none", "--auth", "env"])
        .args(live_flags(&fake))
        .envs(fake.env())
        .output()
        .expect("scan");
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let forbidden = format!("/subscriptions/{}", fake_arm::tenant::subscription_id(1));
    let errors = report["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["scope"] == forbidden.as_str()
            && e["message"].as_str().is_some_and(|m| m.contains("AuthorizationFailed"))),
        "{errors:?}"
    );
    let resources: std::collections::BTreeSet<&str> =
        report["findings"].as_array().expect("findings").iter().filter_map(|f| f["resource"].as_str()).collect();
    assert!(resources.iter().any(|r| r.contains(&fake_arm::tenant::subscription_id(0))));
    assert!(resources.iter().any(|r| r.contains(&fake_arm::tenant::subscription_id(2))));
    assert!(!resources.iter().any(|r| r.contains(&fake_arm::tenant::subscription_id(1))));
    // The text report names the gap too.
    let text = kvscan(&fake)
        .args(["scan", "--live", "--fail-on", "none", "--quiet", "--auth", "env"])
        .args(live_flags(&fake))
        .envs(fake.env())
        .output()
        .expect("scan");
    assert_eq!(text.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&text.stdout).contains(&forbidden));
}

#[test]
fn an_unreachable_data_plane_keeps_arm_metadata_and_reports_certificates() {
    let faults = Faults { data_plane_unreachable: true, ..Faults::none() };
    let fake = FakeArm::start(TenantSpec { subscriptions: 1, ..TenantSpec::default() }, faults);
    let Collected { inventory, .. } = collect(&fake, HttpOptions { max_tries: 2, ..quick() });
    assert_eq!(inventory.vaults.len(), 4);
    for record in &inventory.vaults {
        let parts = record.parts().expect("parts");
        assert_eq!(parts.secrets.len(), 5, "ARM secret metadata is still read");
        assert_eq!(parts.keys.len(), 2);
        assert!(parts.certificates.is_empty());
        let error =
            inventory.errors.iter().find(|e| e.scope == record.id()).expect("the vault's data plane is reported");
        assert!(error.message.contains("certificates") && error.message.contains("not read"), "{}", error.message);
    }
}

#[test]
fn resource_graph_forbidden_falls_back_to_the_same_inventory() {
    let graph = collect(&FakeArm::start(TenantSpec::default(), Faults::none()), quick());
    let faults = Faults { resource_graph_forbidden: true, ..Faults::none() };
    let arm = collect(&FakeArm::start(TenantSpec::default(), faults), quick());
    assert_eq!(graph.discovery, Discovery::ResourceGraph);
    assert_eq!(arm.discovery, Discovery::ArmPerSubscription);
    assert!(arm.inventory.errors.is_empty(), "{:?}", arm.inventory.errors);
    // Resource Graph has no systemData column; everything else is the same ARM JSON.
    let normalise = |inventory: &Inventory| -> Vec<Value> {
        inventory
            .vaults
            .iter()
            .map(|v| {
                let mut value: Value = serde_json::from_str(v.json()).expect("json");
                if let Some(resource) = value["resource"].as_object_mut() {
                    resource.remove("systemData");
                }
                // Vault URIs carry each fake's own port.
                let text = value.to_string();
                let port = regex_free_port(&text);
                serde_json::from_str(&text.replace(&port, "PORT")).expect("json")
            })
            .collect()
    };
    assert_eq!(normalise(&graph.inventory), normalise(&arm.inventory));
}

fn regex_free_port(text: &str) -> String {
    let start = text.find("https://localhost:").map(|i| i + "https://localhost:".len()).unwrap_or(0);
    text[start..].chars().take_while(char::is_ascii_digit).collect()
}

#[test]
fn a_paging_loop_and_a_truncated_body_are_errors_not_panics() {
    let faults = Faults {
        page_size: 2,
        paging_loop_vault: Some("kv-s0-v1".into()),
        truncated_vault: Some("kv-s2-v3".into()),
        ..Faults::none()
    };
    let fake = FakeArm::start(TenantSpec::default(), faults);
    let Collected { inventory, .. } = collect(&fake, quick());
    assert_eq!(inventory.vaults.len(), 12);
    let error_of = |name: &str| {
        let id = inventory.vaults.iter().find(|v| v.name() == name).expect("vault").id().to_string();
        inventory.errors.iter().filter(|e| e.scope == id).map(|e| e.message.clone()).collect::<Vec<_>>().join("\n")
    };
    let looped = error_of("kv-s0-v1");
    assert!(looped.contains("secrets not read") && looped.contains("paging loop"), "{looped}");
    let truncated = error_of("kv-s2-v3");
    assert!(
        truncated.contains("diagnostic settings not read") && truncated.contains("malformed response"),
        "{truncated}"
    );
    assert_eq!(inventory.errors.len(), 2, "{:?}", inventory.errors);
}

#[test]
fn no_secret_value_is_requested_and_no_token_is_written() {
    let fake = FakeArm::start(TenantSpec::default(), Faults::none());
    let dir = tempfile::tempdir().expect("dir");
    let inventory = dir.path().join("inventory.json");
    let sarif = dir.path().join("kvscan.sarif");
    let output = kvscan(&fake)
        .args(["scan", "--live", "--fail-on", "none", "--auth", "env", "--save-inventory"])
        .arg(&inventory)
        .arg("--sarif")
        .arg(&sarif)
        .args(live_flags(&fake))
        .envs(fake.env())
        .env("RUST_LOG", "trace")
        .output()
        .expect("scan");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let log = fake.requests();
    assert!(log.len() > 50);
    for request in &log {
        let path = request.target.split('?').next().unwrap_or_default();
        let data_plane_secret = request.host.starts_with("localhost") && path.contains("/secrets");
        assert!(!data_plane_secret, "a secret-value endpoint was called: {} {}", request.method, request.target);
        assert!(
            request.method == "GET"
                || path.ends_with("/token")
                || path.contains("ResourceGraph")
                || path.contains("getByIds"),
            "only reads: {} {}",
            request.method,
            request.target
        );
    }
    let tokens = fake.issued_tokens();
    assert!(tokens.len() >= 3, "ARM, Key Vault and Graph tokens were issued: {tokens:?}");
    let written = [
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        std::fs::read_to_string(&inventory).expect("inventory"),
        std::fs::read_to_string(&sarif).expect("sarif"),
    ];
    for token in &tokens {
        for text in &written {
            assert!(!text.contains(token.as_str()), "a token leaked into an output");
        }
    }
    assert!(!written[2].contains(fake_arm::CLIENT_SECRET));
}

#[test]
fn github_actions_oidc_needs_no_secret() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 1, vaults_per_subscription: 2, ..TenantSpec::default() },
        Faults::none(),
    );
    let dir = tempfile::tempdir().expect("dir");
    let output = kvscan(&fake)
        .args(["collect", "--output"])
        .arg(dir.path().join("inventory.json"))
        .args(live_flags(&fake))
        .envs(fake.github_env())
        .output()
        .expect("collect");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("authenticated with GitHub Actions OIDC"), "{stderr}");
    let requested = fake.requests();
    let id_token =
        requested.iter().find(|r| r.target.starts_with("/github/idtoken")).expect("GitHub ID token requested");
    assert!(id_token.target.contains("audience=api%3A%2F%2FAzureADTokenExchange"), "{}", id_token.target);
}

#[test]
fn a_failed_login_names_every_method_tried() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 1, vaults_per_subscription: 1, ..TenantSpec::default() },
        Faults::none(),
    );
    let output = kvscan(&fake)
        .args(["collect", "--output", "-"])
        .args(live_flags(&fake))
        .env("AZURE_TENANT_ID", fake_arm::TENANT_ID)
        .env("AZURE_CLIENT_ID", fake_arm::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", "wrong-secret")
        .output()
        .expect("collect");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no credential worked") && stderr.contains("- env:") && stderr.contains("AADSTS7000215"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-secret"), "the secret is not echoed");
}

#[test]
fn without_graph_permission_the_scan_goes_on_with_ids() {
    let faults = Faults { graph_forbidden: true, ..Faults::none() };
    let fake = FakeArm::start(TenantSpec { subscriptions: 1, ..TenantSpec::default() }, faults);
    let Collected { inventory, .. } = collect(&fake, quick());
    assert!(inventory.principals.is_empty());
    assert!(inventory.errors.is_empty(), "names are optional: {:?}", inventory.errors);
    assert_eq!(inventory.vaults.len(), 4);
}

#[test]
fn selection_by_subscription_and_unknown_subscriptions() {
    let fake = FakeArm::start(TenantSpec::default(), Faults::none());
    let wanted = fake_arm::tenant::subscription_id(2);
    let selection = Selection {
        subscriptions: vec![wanted.clone(), "00000000-0000-4000-8000-00000000beef".into()],
        management_groups: vec![],
    };
    let Collected { inventory, .. } = collect_with(&fake, quick(), selection, AuthMode::Env, fake.env());
    assert_eq!(inventory.subscriptions.len(), 1);
    assert_eq!(inventory.vaults.len(), 4);
    assert!(inventory.vaults.iter().all(|v| v.id().contains(&wanted)));
    assert_eq!(inventory.errors.len(), 1);
    assert!(inventory.errors[0].message.starts_with("SubscriptionNotFound"), "{:?}", inventory.errors);
}

#[test]
fn low_remaining_reads_slow_the_client_down() {
    let faults = Faults { remaining_reads: Some(3), ..Faults::none() };
    let fake = FakeArm::start(
        TenantSpec {
            subscriptions: 1,
            vaults_per_subscription: 1,
            secrets_per_vault: 1,
            keys_per_vault: 0,
            certificates_per_vault: 0,
        },
        faults,
    );
    let started = std::time::Instant::now();
    let Collected { inventory, .. } = collect(&fake, quick());
    assert!(inventory.errors.is_empty());
    assert!(started.elapsed() >= Duration::from_secs(1), "the client paused when ARM said few reads were left");
}

fn collect_cli(fake: &FakeArm, env: Vec<(&'static str, String)>) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let output = kvscan(fake)
        .args(["collect", "--output"])
        .arg(dir.path().join("inventory.json"))
        .args(live_flags(fake))
        .envs(env)
        .output()
        .expect("collect");
    (output, dir)
}

#[test]
fn workload_identity_reads_the_federated_token_file() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 1, vaults_per_subscription: 1, ..TenantSpec::default() },
        Faults::none(),
    );
    let dir = tempfile::tempdir().expect("dir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, fake_arm::FEDERATED_ASSERTION).expect("token file");
    let env = vec![
        ("AZURE_TENANT_ID", fake_arm::TENANT_ID.to_string()),
        ("AZURE_CLIENT_ID", fake_arm::CLIENT_ID.to_string()),
        ("AZURE_FEDERATED_TOKEN_FILE", token_file.display().to_string()),
    ];
    let (output, _dir) = collect_cli(&fake, env);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("authenticated with workload identity"), "{stderr}");
}

#[test]
fn managed_identity_is_used_where_the_platform_announces_it() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 1, vaults_per_subscription: 1, ..TenantSpec::default() },
        Faults::none(),
    );
    let (output, _dir) = collect_cli(&fake, fake.managed_identity_env());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("authenticated with managed identity"), "{stderr}");
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.target.starts_with("/msi/token") && r.target.contains("api-version=2019-08-01")));
}

#[test]
fn the_azure_cli_login_is_asked_once_per_audience() {
    let fake = FakeArm::start(TenantSpec::default(), Faults::none());
    let bin = tempfile::tempdir().expect("dir");
    let calls = bin.path().join("calls");
    // A stand-in for `az account get-access-token -o json --scope …` that logs each call.
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$*\" in\n  *management.fake.test*) t=cli-token-arm;;\n  *vault.fake.test*) t=cli-token-vault;;\n  *) t=cli-token-graph;;\nesac\nexp=$(( $(date +%s) + 3600 ))\nprintf '{{\"accessToken\": \"%s\", \"expires_on\": %s, \"tokenType\": \"Bearer\"}}' \"$t\" \"$exp\"\n",
        calls.display()
    );
    let az = bin.path().join("az");
    std::fs::write(&az, script).expect("az");
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let dir = tempfile::tempdir().expect("dir");
    let output = kvscan(&fake)
        .args(["collect", "--output"])
        .arg(dir.path().join("inventory.json"))
        .args(live_flags(&fake))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()))
        .output()
        .expect("collect");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("authenticated with Azure CLI login"), "{stderr}");
    let logged = std::fs::read_to_string(&calls).expect("az was called");
    let scopes: Vec<&str> = logged.lines().collect();
    assert_eq!(scopes.len(), 3, "one `az` run per audience (ARM, Key Vault, Graph), then cached: {scopes:?}");
    assert!(fake.requests().len() > 100);
}

#[test]
fn disabled_subscriptions_are_kept_but_not_read() {
    let faults = Faults { disabled_subscription: Some(1), ..Faults::none() };
    let fake = FakeArm::start(TenantSpec::default(), faults);
    let (output, dir) = collect_cli(&fake, fake.env());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "a disabled subscription is not a gap: {stderr}");
    let disabled = fake_arm::tenant::subscription_id(1);
    assert!(stderr.contains(&format!("skipping subscription {disabled}")), "{stderr}");
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("inventory.json")).expect("read")).expect("json");
    assert_eq!(inventory["subscriptions"].as_array().map(Vec::len), Some(3), "kept, with its state");
    assert_eq!(inventory["vaults"].as_array().map(Vec::len), Some(8));
    assert!(
        !fake.requests().iter().any(|r| r.target.starts_with(&format!("/subscriptions/{disabled}/"))),
        "nothing below it was read"
    );
}

#[test]
fn a_service_principal_certificate_signs_its_own_assertion() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 1, vaults_per_subscription: 1, ..TenantSpec::default() },
        Faults::none(),
    );
    let dir = tempfile::tempdir().expect("dir");
    let pem = dir.path().join("scanner.pem");
    std::fs::write(&pem, &fake.client_certificate_pem).expect("write");
    let env = vec![
        ("AZURE_TENANT_ID", fake_arm::TENANT_ID.to_string()),
        ("AZURE_CLIENT_ID", fake_arm::CLIENT_ID.to_string()),
        ("AZURE_CLIENT_CERTIFICATE_PATH", pem.display().to_string()),
    ];
    let (output, _dir) = collect_cli(&fake, env.clone());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("environment service principal with certificate"), "{stderr}");
    // Another key with the same certificate name is refused: the signature is checked.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(rcgen::DnType::CommonName, "kvscan-scanner");
    let forged = params.self_signed(&other).expect("cert");
    std::fs::write(&pem, format!("{}{}", forged.pem(), other.serialize_pem())).expect("write");
    let (output, _dir) = collect_cli(&fake, env);
    assert_eq!(output.status.code(), Some(2), "an unregistered certificate must not log in");
    assert!(String::from_utf8_lossy(&output.stderr).contains("AADSTS7000215"));
}
