//! Table-driven tests of evaluation: every function, unknown propagation, errors, robustness.

use super::*;
use crate::source::arm::resolve::{evaluate_template_value, Resolved, Unresolved};
use serde_json::json;

const MISSING: &str = "parameter 'missing' has no default and no parameter file value";
const SECRET: &str = "the parameter file takes it from a Key Vault reference";

fn context() -> EvalContext {
    let template = json!({
        "parameters": {
            "name": { "type": "string" },
            "count": { "type": "int", "defaultValue": 3 },
            "flag": { "type": "bool", "defaultValue": true },
            "obj": { "type": "object", "defaultValue": { "a": { "b": 1 }, "list": [1, 2, 3], "Mixed": "case" } },
            "missing": { "type": "string" },
            "derived": { "type": "string", "defaultValue": "[concat('x-', parameters('name'))]" },
            "location": { "type": "string", "defaultValue": "[resourceGroup().location]" },
            "when": { "type": "string", "defaultValue": "[utcNow()]" },
            "optional": { "type": "object", "nullable": true }
        },
        "variables": {
            "arr": [10, 20, 30],
            "cfg": { "sku": "standard", "name": "[parameters('missing')]", "nested": { "ok": "[parameters('count')]" } },
            "computed": "[toUpper(parameters('name'))]",
            "cycleA": "[variables('cycleB')]",
            "cycleB": "[variables('cycleA')]",
            "roleIdMapping": { "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7" },
            "copy": [
                { "name": "disks", "count": "[parameters('count')]", "input": { "lun": "[copyIndex('disks')]", "name": "[format('disk{0}', copyIndex('disks', 1))]" } },
                { "name": "unknownCount", "count": "[length(parameters('missing'))]", "input": "x" }
            ]
        }
    });
    let supplied = json!({ "name": "kv-prod", "COUNT": 2 });
    let mut ctx = EvalContext::for_template(&template, supplied.as_object().unwrap(), DeploymentInfo::default());
    ctx.set_parameter("secret", EvalValue::unknown(SECRET));
    ctx
}

fn eval(text: &str) -> Result<EvalValue, EvalError> {
    evaluate_string(text, &context())
}

#[track_caller]
fn value(text: &str) -> Value {
    match eval(text) {
        Ok(EvalValue::Known(value)) => value,
        other => panic!("{text}: expected a known value, got {other:?}"),
    }
}

#[track_caller]
fn reason(text: &str) -> String {
    match eval(text) {
        Ok(EvalValue::Unknown { reason }) => reason,
        other => panic!("{text}: expected an unknown, got {other:?}"),
    }
}

#[track_caller]
fn error(text: &str) -> String {
    match eval(text) {
        Err(error) => error.to_string(),
        other => panic!("{text}: expected an error, got {other:?}"),
    }
}

#[track_caller]
fn check_values(cases: &[(&str, Value)]) {
    for (text, expected) in cases {
        assert_eq!(value(text), *expected, "{text}");
    }
}

#[test]
fn literals_and_escapes() {
    check_values(&[
        ("plain text", json!("plain text")),
        ("[[notAnExpression()]", json!("[notAnExpression()]")),
        ("['it''s']", json!("it's")),
        ("[42]", json!(42)),
        ("[-3]", json!(-3)),
        ("[true]", json!(true)),
        ("[null]", json!(null)),
    ]);
}

#[test]
fn function_names_ignore_case() {
    check_values(&[
        ("[CONCAT('a', 'b')]", json!("ab")),
        ("[toupper('a')]", json!("A")),
        ("[ToLower('A')]", json!("a")),
        ("[PARAMETERS('NAME')]", json!("kv-prod")),
        ("[Variables('ARR')[1]]", json!(20)),
        ("[uniquestring('aaa')]", json!("zavj67f3en4hc")),
    ]);
}

#[test]
fn parameters_variables_and_defaults() {
    check_values(&[
        ("[parameters('name')]", json!("kv-prod")),
        // Supplied values win over defaults, matched case-insensitively.
        ("[parameters('count')]", json!(2)),
        ("[parameters('flag')]", json!(true)),
        ("[parameters('derived')]", json!("x-kv-prod")),
        ("[parameters('location')]", json!("eastus")),
        ("[variables('computed')]", json!("KV-PROD")),
        ("[variables('roleIdMapping')['Reader']]", json!("acdd72a7-3385-48ef-bd42-f606fba81ae7")),
        ("[variables('disks')]", json!([{ "lun": 0, "name": "disk1" }, { "lun": 1, "name": "disk2" }])),
        ("[variables('disks')[1].name]", json!("disk2")),
    ]);
    assert!(error("[parameters('nope')]").contains("parameter 'nope' is not declared"));
    assert!(error("[variables('nope')]").contains("variable 'nope' is not declared"));
    assert_eq!(reason("[parameters('missing')]"), MISSING);
    assert_eq!(value("[parameters('optional')]"), json!(null));
    assert_eq!(reason("[parameters('when')]"), "utcNow() is the time of the deployment");
    assert_eq!(
        reason("[variables('unknownCount')]"),
        format!("the number of 'unknownCount' items is unknown: {MISSING}")
    );
}

#[test]
fn variable_cycles_are_errors() {
    let message = error("[variables('cycleA')]");
    assert!(message.contains("circular reference"), "{message}");
    assert!(message.contains("variables('cycleA') -> variables('cycleB') -> variables('cycleA')"), "{message}");
    let mut ctx = EvalContext::new(DeploymentInfo::default());
    ctx.set_variable("self", json!("[concat('a', variables('self'))]"));
    let result = evaluate_string("[variables('self')]", &ctx);
    assert!(matches!(result, Err(EvalError::Invalid(ref m)) if m.contains("variables('self') -> variables('self')")));
}

#[test]
fn property_and_index_access() {
    check_values(&[
        ("[parameters('obj').a.b]", json!(1)),
        ("[parameters('obj')['a']['b']]", json!(1)),
        ("[parameters('obj').list[2]]", json!(3)),
        ("[parameters('obj').mixed]", json!("case")),
        ("[parameters('obj').A.B]", json!(1)),
        ("[variables('arr')[0]]", json!(10)),
        ("[variables('arr')[parameters('count')]]", json!(30)),
        ("[createObject('k', createArray(1, createObject('x', 'deep')))['k'][1].x]", json!("deep")),
        ("[split('a/b/c', '/')[1]]", json!("b")),
        // The known parts of a partly unknown variable stay reachable.
        ("[variables('cfg').sku]", json!("standard")),
        ("[variables('cfg').nested.ok]", json!(2)),
        ("[resourceGroup().name]", json!("kvscan-rg")),
        ("[environment().suffixes.keyvaultDns]", json!(".vault.azure.net")),
    ]);
    assert_eq!(reason("[variables('cfg').name]"), MISSING);
    assert_eq!(reason("[variables('cfg')]"), format!("{MISSING} (at /name)"));
    assert_eq!(reason("[parameters('secret').anything[0]]"), SECRET);
    assert_eq!(reason("[variables('arr')[parameters('missing')]]"), MISSING);
    assert!(reason("[deployment().properties.templateLink.uri]").contains("'properties' of deployment()"));
    assert!(reason("[resourceGroup().tags.env]").contains("'tags' of resourceGroup()"));
    // The cloud has more suffixes than kvscan lists; an unlisted one is unknown, not missing.
    assert!(reason("[environment().suffixes.nope]").contains("'nope' of environment()"));
    for (text, fragment) in [
        ("[parameters('obj').nope]", "the property 'nope' does not exist; available properties are 'Mixed, a, list'"),
        ("[variables('arr')[3]]", "array index 3 is out of bounds (length 3)"),
        ("[variables('arr')[-1]]", "array index -1 is out of bounds"),
        ("[variables('arr')['x']]", "an array is indexed by an integer"),
        ("[parameters('obj')[0]]", "an object is indexed by a property name"),
        ("[parameters('name').length]", "cannot read property 'length' of a string"),
        ("[null().x]", "cannot read property 'x' of null"),
    ] {
        let message = error(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn string_functions() {
    check_values(&[
        ("[concat('a', 'b', 1, true, null())]", json!("ab1True")),
        ("[concat(createArray(1), createArray(2, 3))]", json!([1, 2, 3])),
        ("[format('{0}-{1:D3}', 'kv', 7)]", json!("kv-007")),
        ("[format('{0}{{x}}', createArray('a'))]", json!("['a']{x}")),
        ("[string(42)]", json!("42")),
        ("[string(true)]", json!("True")),
        ("[string(createObject('a', 1))]", json!("{\"a\":1}")),
        ("[string(null())]", json!("")),
        ("[string('s')]", json!("s")),
        ("[toLower('ÀB')]", json!("àb")),
        ("[toUpper('àb')]", json!("ÀB")),
        ("[trim('  x y  ')]", json!("x y")),
        ("[split('a,b;;c', createArray(',', ';'))]", json!(["a", "b", "", "c"])),
        ("[split('abc', '')]", json!(["abc"])),
        ("[split('', ',')]", json!([""])),
        ("[join(createArray('a', 'b', 3), '-')]", json!("a-b-3")),
        ("[replace('a.net.NET', '.net', '.com')]", json!("a.com.NET")),
        ("[startsWith('KeyVault', 'key')]", json!(true)),
        ("[endsWith('KeyVault', 'VAULT')]", json!(true)),
        ("[startsWith('KeyVault', 'vault')]", json!(false)),
        ("[substring('hello', 1, 3)]", json!("ell")),
        ("[substring('hello', 2)]", json!("llo")),
        ("[substring('héllo', 1, 1)]", json!("é")),
        ("[indexOf('abcdef', 'CD')]", json!(2)),
        ("[lastIndexOf('test', 't')]", json!(3)),
        ("[indexOf('abc', 'z')]", json!(-1)),
        ("[indexOf('é😀x', 'x')]", json!(3)),
        ("[indexOf(createArray('a', 'b'), 'b')]", json!(1)),
        ("[lastIndexOf(createArray(1, 2, 1), 1)]", json!(2)),
        ("[padLeft('7', 3, '0')]", json!("007")),
        ("[padLeft(42, 4)]", json!("  42")),
        ("[padLeft('long', 2)]", json!("long")),
        ("[uri('http://contoso.org/firstpath', 'myscript.sh')]", json!("http://contoso.org/myscript.sh")),
        ("[uri('http://contoso.org/firstpath/', 'myscript.sh')]", json!("http://contoso.org/firstpath/myscript.sh")),
        (
            "[uri('https://a.blob.core.windows.net/t/azuredeploy.json?sv=1', 'scripts/run.sh')]",
            json!("https://a.blob.core.windows.net/t/scripts/run.sh"),
        ),
        ("[uri('https://h/a/b/c', '../d?x=1')]", json!("https://h/a/d?x=1")),
        ("[uri('https://h/a/b', '/root')]", json!("https://h/root")),
        ("[uri('https://h/a', 'https://other/x')]", json!("https://other/x")),
        ("[uriComponent('a b/ü')]", json!("a%20b%2F%C3%BC")),
        ("[uriComponentToString('a%20b%2F%C3%BC%zz')]", json!("a b/ü%zz")),
        ("[uniqueString('xxx', 'yyy', 'zzz')]", json!("lghi7k5js7itq")),
        ("[uniqueString(resourceGroup().id)]", json!("sv4qj77juxd6u")),
        ("[guid('a', 'b', 'c')]", json!("a98fa280-e03f-5afa-8d8e-92d0a9c201e8")),
    ]);
    assert!(reason("[format('{0:E2}', 1)]").contains("not supported by kvscan"));
    for (text, fragment) in [
        ("[concat('a', createArray(1))]", "argument 2 is an array"),
        ("[concat()]", "expects at least 1 argument(s), got 0"),
        ("[format('{1}', 'a')]", "index 1 is beyond"),
        ("[replace('abc', '', 'x')]", "cannot be empty"),
        ("[substring('abc', 4)]", "beyond the string length 3"),
        ("[substring('abc', 1, 5)]", "reach beyond"),
        ("[substring('abc', -1)]", "negative"),
        ("[padLeft('a', 3, 'xy')]", "single character"),
        ("[uri('not absolute', 'x')]", "not an absolute URI"),
        ("[uniqueString(1)]", "argument 1 must be a string, not an integer"),
        ("[guid()]", "expects at least 1 argument(s)"),
        ("[toLower(1)]", "must be a string"),
    ] {
        let message = error(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn collection_functions() {
    check_values(&[
        ("[empty('')]", json!(true)),
        ("[empty(createArray())]", json!(true)),
        ("[empty(createObject('a', 1))]", json!(false)),
        ("[empty(null())]", json!(true)),
        ("[contains('OneTwo', 'Two')]", json!(true)),
        ("[contains('OneTwo', 'two')]", json!(false)),
        ("[contains(createArray(1, 'a'), 'a')]", json!(true)),
        ("[contains(createObject('Key', 1), 'key')]", json!(true)),
        ("[length('héllo😀')]", json!(7)),
        ("[length(createArray(1, 2))]", json!(2)),
        ("[length(parameters('obj'))]", json!(3)),
        ("[length(null())]", json!(0)),
        ("[first(createArray('a', 'b'))]", json!("a")),
        ("[first('xyz')]", json!("x")),
        ("[last(createArray('a', 'b'))]", json!("b")),
        ("[last('')]", json!("")),
        ("[first(createArray())]", json!(null)),
        ("[take(createArray(1, 2, 3), 2)]", json!([1, 2])),
        ("[take('abc', 10)]", json!("abc")),
        ("[take('abc', -1)]", json!("")),
        ("[skip(createArray(1, 2, 3), 2)]", json!([3])),
        ("[skip('abc', 1)]", json!("bc")),
        ("[union(createArray(1, 2), createArray(2, 3))]", json!([1, 2, 3])),
        (
            "[union(createObject('a', 1, 'n', createObject('x', 1, 'y', 1)), createObject('A', 2, 'n', createObject('y', 2)))]",
            json!({ "a": 2, "n": { "x": 1, "y": 2 } }),
        ),
        ("[intersection(createArray(1, 2, 3), createArray(3, 2))]", json!([2, 3])),
        ("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]", json!({ "a": 1 })),
        ("[shallowMerge(createArray(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2))))]", json!({ "a": { "y": 2 } })),
        ("[createArray()]", json!([])),
        ("[createObject()]", json!({})),
        ("[createObject('a', 1, 'b', createArray(true))]", json!({ "a": 1, "b": [true] })),
        ("[array('x')]", json!(["x"])),
        ("[array(createArray(1))]", json!([1])),
        ("[items(createObject('b', 2, 'a', 1))]", json!([{ "key": "a", "value": 1 }, { "key": "b", "value": 2 }])),
        ("[objectKeys(createObject('b', 2, 'a', 1))]", json!(["a", "b"])),
        ("[range(5, 3)]", json!([5, 6, 7])),
        ("[range(0, 0)]", json!([])),
        ("[tryGet(parameters('obj'), 'a', 'b')]", json!(1)),
        ("[tryGet(parameters('obj'), 'list', 1)]", json!(2)),
        ("[tryGet(parameters('obj'), 'nope', 'deeper')]", json!(null)),
        ("[tryGet(null(), 'a')]", json!(null)),
        ("[coalesce(null(), null(), 'x', parameters('missing'))]", json!("x")),
        ("[coalesce(null())]", json!(null)),
    ]);
    assert_eq!(reason("[coalesce(null(), parameters('missing'), 'x')]"), MISSING);
    for (text, fragment) in [
        ("[union(createArray(1), createObject('a', 1))]", "only arrays or only objects"),
        ("[createObject('a')]", "key/value pairs"),
        ("[createObject(1, 2)]", "the key '1' is not a string"),
        ("[range(0, 10001)]", "from 0 to 10000"),
        ("[range(2147483647, 2)]", "32-bit"),
        ("[empty(1)]", "must be a string, an array, an object or null"),
        ("[length(true)]", "must be a string, an array or an object"),
        ("[tryGet(parameters('obj'), true())]", "keys must be strings or integers"),
    ] {
        let message = error(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn logic_comparison_and_numbers() {
    check_values(&[
        ("[if(true, 'a', 'b')]", json!("a")),
        ("[if(false, 'a', 'b')]", json!("b")),
        // Only the chosen branch is evaluated, so the other may be invalid.
        ("[if(true, 'a', parameters('nope'))]", json!("a")),
        ("[equals(1, 1)]", json!(true)),
        ("[equals('a', 'A')]", json!(false)),
        ("[equals(createArray(1, createObject('a', 'b')), createArray(1, createObject('a', 'b')))]", json!(true)),
        ("[equals('1', 1)]", json!(false)),
        ("[not(true)]", json!(false)),
        ("[and(true, true, true)]", json!(true)),
        ("[and(true, false)]", json!(false)),
        ("[or(false, true)]", json!(true)),
        ("[or(false, false)]", json!(false)),
        ("[bool('TRUE')]", json!(true)),
        ("[bool(0)]", json!(false)),
        ("[bool(1)]", json!(true)),
        ("[int('42')]", json!(42)),
        ("[int(' -7 ')]", json!(-7)),
        ("[int(5)]", json!(5)),
        ("[json('{\"a\": [1, null]}')]", json!({ "a": [1, null] })),
        ("[json('null')]", json!(null)),
        ("[json('{''one'': ''a''}')]", json!({ "one": "a" })),
        ("[add(1, 2)]", json!(3)),
        ("[sub(1, 2)]", json!(-1)),
        ("[mul(-3, 4)]", json!(-12)),
        ("[div(7, 2)]", json!(3)),
        ("[div(-7, 2)]", json!(-3)),
        ("[mod(7, 3)]", json!(1)),
        ("[mod(-7, 3)]", json!(-1)),
        ("[min(3, 1, 2)]", json!(1)),
        ("[max(createArray(3, 9, 2))]", json!(9)),
        ("[less(1, 2)]", json!(true)),
        ("[lessOrEquals(2, 2)]", json!(true)),
        ("[greater('b', 'a')]", json!(true)),
        ("[greater('A', 'a')]", json!(false)),
        ("[greaterOrEquals(1, 2)]", json!(false)),
        ("[true()]", json!(true)),
        ("[false()]", json!(false)),
        ("[null()]", json!(null)),
    ]);
    for (text, fragment) in [
        ("[if('yes', 1, 2)]", "the condition must be a boolean, not a string"),
        ("[if(true, 1)]", "expects 3 argument(s), got 2"),
        ("[and(true, 1)]", "argument 2 must be a boolean"),
        ("[bool('yes')]", "cannot convert"),
        ("[int('1.5')]", "cannot convert '1.5' to an integer"),
        ("[json('{')]", "invalid JSON"),
        ("[div(1, 0)]", "cannot divide by zero"),
        ("[mod(1, 0)]", "cannot divide by zero"),
        ("[add(9223372036854775807, 1)]", "integer overflow"),
        ("[div(-9223372036854775808, -1)]", "integer overflow"),
        ("[less(1, 'a')]", "two integers or two strings"),
        ("[max()]", "expects at least 1 argument(s)"),
        ("[min(createArray())]", "at least one integer"),
        ("[not(1)]", "must be a boolean"),
    ] {
        let message = error(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn resource_ids_and_scope_functions() {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000000";
    check_values(&[
        ("[resourceId('Microsoft.KeyVault/vaults', 'kv')]", json!(format!("{sub}/resourceGroups/kvscan-rg/providers/Microsoft.KeyVault/vaults/kv"))),
        ("[resourceId('other-rg', 'Microsoft.KeyVault/vaults', 'kv')]", json!(format!("{sub}/resourceGroups/other-rg/providers/Microsoft.KeyVault/vaults/kv"))),
        (
            "[resourceId('11111111-1111-1111-1111-111111111111', 'rg2', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]",
            json!("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"),
        ),
        ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet/default')]", json!(format!("{sub}/resourceGroups/kvscan-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"))),
        ("[resourceId('microsoft.insights/components/', 'app')]", json!(format!("{sub}/resourceGroups/kvscan-rg/providers/microsoft.insights/components/app"))),
        ("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]", json!(format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/r1"))),
        ("[subscriptionResourceId('22222222-2222-2222-2222-222222222222', 'Microsoft.Authorization/roleDefinitions', 'r1')]", json!("/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.Authorization/roleDefinitions/r1")),
        ("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]", json!("/providers/Microsoft.Management/managementGroups/mg")),
        (
            "[extensionResourceId(resourceId('Microsoft.KeyVault/vaults', 'kv'), 'Microsoft.Authorization/locks', 'lock')]",
            json!(format!("{sub}/resourceGroups/kvscan-rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/locks/lock")),
        ),
        ("[resourceGroup().id]", json!(format!("{sub}/resourceGroups/kvscan-rg"))),
        ("[resourceGroup().location]", json!("eastus")),
        ("[subscription().subscriptionId]", json!("00000000-0000-0000-0000-000000000000")),
        ("[subscription().id]", json!(sub)),
        ("[tenant().tenantId]", json!("00000000-0000-0000-0000-000000000000")),
        ("[subscription().tenantId]", json!("00000000-0000-0000-0000-000000000000")),
        ("[deployment().name]", json!("kvscan-deployment")),
        ("[environment().name]", json!("AzureCloud")),
    ]);
    for (text, fragment) in [
        ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", "needs 2 resource name(s), got 1"),
        ("[resourceId('kv')]", "expects at least 2 argument(s)"),
        ("[resourceId('a', 'b')]", "expects a resource type"),
        ("[resourceId('s', 'g', 'x', 'Microsoft.KeyVault/vaults', 'kv')]", "at most a subscription id"),
        ("[resourceId('Microsoft.KeyVault/vaults', 1)]", "argument 2 must be a string"),
    ] {
        let message = error(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn deployment_info_is_configurable() {
    let deployment = DeploymentInfo {
        subscription_id: "sub".into(),
        resource_group: "rg".into(),
        location: "westeurope".into(),
        ..DeploymentInfo::default()
    };
    let ctx = EvalContext::new(deployment);
    assert_eq!(
        evaluate_string("[resourceId('Microsoft.KeyVault/vaults', 'kv')]", &ctx),
        Ok(EvalValue::Known(json!("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv")))
    );
    assert_eq!(evaluate_string("[resourceGroup().location]", &ctx), Ok(EvalValue::Known(json!("westeurope"))));
}

#[test]
fn copy_index_follows_the_loops() {
    let ctx = context();
    let index = |text: &str| evaluate_string(text, &ctx);
    assert_eq!(index("[copyIndex()]"), Ok(EvalValue::unknown("copyIndex() is only known inside a copy loop")));
    ctx.in_copy_loop("outer", 2, || {
        assert_eq!(index("[copyIndex()]"), Ok(EvalValue::Known(json!(2))));
        assert_eq!(index("[copyIndex(10)]"), Ok(EvalValue::Known(json!(12))));
        ctx.in_copy_loop("inner", 5, || {
            assert_eq!(index("[copyIndex()]"), Ok(EvalValue::Known(json!(5))));
            assert_eq!(index("[copyIndex('OUTER')]"), Ok(EvalValue::Known(json!(2))));
            assert_eq!(index("[copyIndex('outer', 1)]"), Ok(EvalValue::Known(json!(3))));
            // A variable is global: the loop around the reference does not leak into it.
            assert_eq!(index("[variables('disks')[0].lun]"), Ok(EvalValue::Known(json!(0))));
        });
        assert_eq!(
            index("[copyIndex('inner')]"),
            Ok(EvalValue::unknown("copyIndex('inner') is only known inside the 'inner' copy loop"))
        );
    });
}

#[test]
fn unknown_propagates_with_its_reason() {
    let unknowns = [
        "[parameters('missing')]",
        "[concat('a', parameters('missing'))]",
        "[toUpper(concat('a', parameters('missing')))]",
        "[equals(parameters('missing'), 1)]",
        "[not(equals(parameters('missing'), 'x'))]",
        "[length(parameters('missing'))]",
        "[resourceId('Microsoft.KeyVault/vaults', parameters('missing'))]",
        "[uniqueString(resourceGroup().id, parameters('missing'))]",
        "[if(equals(parameters('missing'), 'x'), 'a', 'b')]",
        "[and(true, parameters('missing'))]",
        "[or(false, parameters('missing'))]",
        "[createObject('k', parameters('missing'))]",
        "[format('{0}', parameters('missing'))]",
        "[variables('cfg').name]",
    ];
    for text in unknowns {
        assert_eq!(reason(text), MISSING, "{text}");
    }
    check_values(&[
        ("[if(true, 'x', parameters('missing'))]", json!("x")),
        ("[if(false, parameters('missing'), 'y')]", json!("y")),
        ("[if(equals(parameters('missing'), 'x'), 'same', 'same')]", json!("same")),
        ("[and(parameters('missing'), false)]", json!(false)),
        ("[or(parameters('missing'), true)]", json!(true)),
        ("[coalesce('known', parameters('missing'))]", json!("known")),
    ]);
}

#[test]
fn tells_which_functions_it_supports() {
    for name in ["CONCAT", "uniqueString", "listKeys", "listAccountSas", "reference", "utcNow", "tryGet"] {
        assert!(supports_function(name), "{name}");
    }
    for name in ["map", "lambda", "managementGroup", "contoso.fn", "base64"] {
        assert!(!supports_function(name), "{name}");
    }
}

#[test]
fn deployment_time_functions_are_unknown() {
    for (text, fragment) in [
        ("[reference('kv').vaultUri]", "reference() reads the deployed resource's state"),
        ("[reference(resourceId('Microsoft.KeyVault/vaults', 'kv'), '2019-09-01', 'Full').properties]", "reference()"),
        (
            "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2021-01-01').keys[0].value]",
            "listKeys() reads runtime data",
        ),
        ("[listSecrets('x', '2020-01-01')]", "listSecrets()"),
        ("[utcNow()]", "utcNow() is the time of the deployment"),
        ("[newGuid()]", "newGuid() is a new random value"),
        ("[dateTimeAdd(utcNow(), 'P1D')]", "utcNow()"),
        ("[dateTimeToEpoch(utcNow('u'))]", "utcNow()"),
        ("[parameters('secret')]", SECRET),
        ("[map(createArray(1), lambda('x', lambdaVariables('x')))]", "function 'map' is not supported by kvscan"),
        ("[managementGroup()]", "function 'managementGroup' is not supported by kvscan"),
        ("[contoso.uniqueName('x')]", "user-defined function 'contoso.uniqueName' is not evaluated"),
    ] {
        let why = reason(text);
        assert!(why.contains(fragment), "{text}: {why}");
    }
}

#[test]
fn date_functions_with_fixed_dates() {
    check_values(&[
        ("[dateTimeAdd('2020-04-07T14:53:14Z', 'P3Y')]", json!("2023-04-07T14:53:14Z")),
        ("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H30M')]", json!("2020-04-07T13:23:14Z")),
        ("[dateTimeAdd('2020-01-31 00:00:00Z', 'P1M')]", json!("2020-02-29T00:00:00Z")),
        ("[dateTimeAdd('2020-01-01T00:00:00Z', 'P1W2DT3S')]", json!("2020-01-10T00:00:03Z")),
        ("[dateTimeToEpoch('2023-02-16T00:00:00Z')]", json!(1_676_505_600)),
        ("[dateTimeFromEpoch(1683040573)]", json!("2023-05-02T15:16:13Z")),
    ]);
    assert!(reason("[dateTimeAdd('2020-04-07T14:53:14Z', 'P1D', 'yyyy-MM-dd')]").contains("not supported by kvscan"));
    assert!(error("[dateTimeAdd('yesterday', 'P1D')]").contains("not an ISO 8601 date"));
    assert!(error("[dateTimeAdd('2020-01-01T00:00:00Z', 'P1X')]").contains("not an ISO 8601 duration"));
    assert!(error("[dateTimeAdd('2020-01-01T00:00:00Z', 'P')]").contains("not an ISO 8601 duration"));
    assert!(
        error("[dateTimeAdd('2020-01-01T00:00:00Z', 'P99999999999999999999Y')]").contains("not an ISO 8601 duration")
    );
    assert!(error("[dateTimeFromEpoch(9223372036854775807)]").contains("out of range"));
}

#[test]
fn parse_errors_surface_with_their_column() {
    assert_eq!(
        eval("[concat('a' 'b')]").unwrap_err().to_string(),
        "invalid expression at column 13: expected ',' or ')' in the argument list, found a string"
    );
    assert!(matches!(eval("[concat('a)]"), Err(EvalError::Parse(ParseError { column: 9, .. }))));
}

#[test]
fn template_values_keep_unknown_leaves() {
    let ctx = context();
    let template = json!({
        "name": "[parameters('name')]",
        "location": "[parameters('location')]",
        "escaped": "[[literal]",
        "properties": {
            "enablePurgeProtection": "[parameters('flag')]",
            "tenantId": "[subscription().tenantId]",
            "vaultUri": "[reference('kv').vaultUri]",
            "broken": "[concat(]",
            "sku": { "family": "A", "name": "[toLower('Standard')]" },
            "rules": ["[parameters('missing')]", "fixed"]
        },
        "[format('tag-{0}', parameters('name'))]": "[variables('computed')]",
        "[parameters('missing')]": true,
        "count": 5
    });
    let resolved = evaluate_template_value(&template, &ctx);
    assert!(!resolved.is_known());
    assert_eq!(resolved.pointer("/name"), Some(Resolved::Known(json!("kv-prod"))));
    assert_eq!(resolved.pointer("/escaped"), Some(Resolved::Known(json!("[literal]"))));
    assert_eq!(resolved.pointer("/tag-kv-prod"), Some(Resolved::Known(json!("KV-PROD"))));
    assert_eq!(resolved.pointer("/[parameters('missing')]"), Some(Resolved::Known(json!(true))));
    assert_eq!(
        resolved.pointer("/properties/sku"),
        Some(Resolved::Known(json!({ "family": "A", "name": "standard" })))
    );
    assert_eq!(resolved.pointer("/properties/enablePurgeProtection"), Some(Resolved::Known(json!(true))));
    assert_eq!(resolved.pointer("/properties/rules/1"), Some(Resolved::Known(json!("fixed"))));
    assert_eq!(resolved.pointer("/properties/vaultUri/deeper"), resolved.pointer("/properties/vaultUri"));
    assert_eq!(resolved.pointer("/count"), Some(Resolved::Known(json!(5))));
    assert_eq!(resolved.pointer("/nope"), None);
    let unresolved = resolved.unresolved();
    let summary: Vec<(&str, bool)> = unresolved.iter().map(|u| (u.pointer.as_str(), u.invalid)).collect();
    assert_eq!(
        summary,
        [("/properties/broken", true), ("/properties/rules/0", false), ("/properties/vaultUri", false)]
    );
    assert_eq!(
        unresolved[1],
        Unresolved { pointer: "/properties/rules/0".into(), reason: MISSING.into(), invalid: false }
    );
    assert!(unresolved[0].reason.contains("column 9"), "{}", unresolved[0].reason);

    let all_known = evaluate_template_value(&json!({ "a": ["[add(1, 1)]", { "b": "[[x" }] }), &ctx);
    assert_eq!(all_known, Resolved::Known(json!({ "a": [2, { "b": "[x" }] })));
    assert!(all_known.unresolved().is_empty());
}

#[test]
fn real_template_shapes_evaluate() {
    // Expressions as they appear in the Azure quickstarts and Verified Modules.
    let mut ctx = context();
    ctx.set_parameter(
        "roleAssignments",
        EvalValue::Known(json!([{ "roleDefinitionIdOrName": "Reader", "principalId": "p1" }])),
    );
    ctx.set_parameter("networkAcls", EvalValue::Known(json!({ "defaultAction": "Deny" })));
    ctx.set_parameter("enablePurgeProtection", EvalValue::Known(json!(true)));
    ctx.set_parameter("privateEndpoints", EvalValue::Known(json!([])));
    ctx.set_parameter("publicNetworkAccess", EvalValue::Known(json!("")));
    let check = |text: &str, expected: Value| {
        assert_eq!(evaluate_string(text, &ctx), Ok(EvalValue::Known(expected)), "{text}");
    };
    check("[if(parameters('enablePurgeProtection'), parameters('enablePurgeProtection'), null())]", json!(true));
    check(
        "[if(not(empty(coalesce(parameters('networkAcls'), createObject()))), createObject('bypass', tryGet(parameters('networkAcls'), 'bypass'), 'defaultAction', tryGet(parameters('networkAcls'), 'defaultAction'), 'virtualNetworkRules', coalesce(tryGet(parameters('networkAcls'), 'virtualNetworkRules'), createArray()), 'ipRules', coalesce(tryGet(parameters('networkAcls'), 'ipRules'), createArray())), null())]",
        json!({ "bypass": null, "defaultAction": "Deny", "virtualNetworkRules": [], "ipRules": [] }),
    );
    check(
        "[if(not(empty(parameters('publicNetworkAccess'))), parameters('publicNetworkAccess'), if(and(not(empty(coalesce(parameters('privateEndpoints'), createArray()))), empty(coalesce(parameters('networkAcls'), createObject()))), 'Disabled', null()))]",
        json!(null),
    );
    check("[coalesce(parameters('roleAssignments'), createArray())[0].roleDefinitionIdOrName]", json!("Reader"));
    check(
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roleIdMapping')[coalesce(parameters('roleAssignments'), createArray())[0].roleDefinitionIdOrName])]",
        json!("/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    );
    check(
        "[format('{0}-{1}-{2}', last(split(resourceId('Microsoft.KeyVault/vaults', parameters('name')), '/')), 'vault', 0)]",
        json!("kv-prod-vault-0"),
    );
    check(
        "[concat('privatelink', environment().suffixes.sqlServerHostname)]",
        json!("privatelink.database.windows.net"),
    );
    check("[json('null')]", json!(null));
    check("[length(range(0, length(coalesce(parameters('privateEndpoints'), createArray()))))]", json!(0));
}

#[test]
fn hostile_inputs_never_panic_or_overflow() {
    let ctx = context();
    let deep_call = format!("[{}1{}]", "string(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(evaluate_string(&deep_call, &ctx), Err(EvalError::Parse(_))));
    for text in [
        "[", "[]", "[[", "[']", "[(]", "[)]", "[,]", "[.]", "[a.]", "[a(]", "[a)]", "[a(()]", "['\u{0}']",
        "[😀()]", "[concat('😀', 'é')[0]]", "[99999999999999999999999999]", "[-]", "[[[[", "]]]]", "[0x10]",
        "[json('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[')]",
        "[substring('😀', 1, 1)]", "[take('😀', 1)]", "[padLeft('x', 9223372036854775807)]", "[range(-9223372036854775808, 0)]",
        "[range(9223372036854775807, 1)]", "[copyIndex(9223372036854775807)]", "[format('{0,-2147483648}', 1)]",
        "[mul(-9223372036854775808, -1)]", "[sub(-9223372036854775808, 1)]", "[uri('a:', '')]", "[uri('a://', '..')]",
        "[uriComponentToString('%')]", "[uriComponentToString('%f')]", "[split('é😀é', '😀')]", "[indexOf('İx', 'x')]",
        "[dateTimeAdd('2020-01-01T00:00:00Z', '-P9999999Y')]", "[base64('x')]", "[tryGet(createArray(1), -1)]",
    ] {
        let _ = evaluate_string(text, &ctx);
    }
    assert_eq!(value("[substring('😀', 0, 1)]"), json!("\u{FFFD}"));
    assert_eq!(value("[split('é😀é', '😀')]"), json!(["é", "é"]));
    assert_eq!(value("[indexOf('İx', 'x')]"), json!(1));
}

#[test]
fn exponential_values_hit_the_budget() {
    // Each variable doubles the previous one: 2^40 items if nothing stopped it.
    let mut ctx = EvalContext::new(DeploymentInfo::default());
    ctx.set_variable("v0", json!("[createArray('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')]"));
    for level in 1..=40 {
        ctx.set_variable(
            &format!("v{level}"),
            json!(format!("[concat(variables('v{0}'), variables('v{0}'))]", level - 1)),
        );
    }
    let result = evaluate_string("[length(variables('v40'))]", &ctx);
    assert!(matches!(result, Err(EvalError::Invalid(ref m)) if m.contains("size limit")), "{result:?}");
}

#[test]
fn long_variable_chains_stop_at_the_depth_limit() {
    let mut ctx = EvalContext::new(DeploymentInfo::default());
    ctx.set_variable("v0", json!("end"));
    for level in 1..=1_000 {
        ctx.set_variable(&format!("v{level}"), json!(format!("[variables('v{}')]", level - 1)));
    }
    let result = evaluate_string("[variables('v1000')]", &ctx);
    assert!(matches!(result, Err(EvalError::Invalid(ref m)) if m.contains("nested deeper")), "{result:?}");
    assert_eq!(evaluate_string("[variables('v20')]", &ctx), Ok(EvalValue::Known(json!("end"))));
}

#[test]
fn deep_json_values_are_cut_off() {
    let mut value = json!("leaf");
    for _ in 0..1_000 {
        value = json!([value]);
    }
    let resolved = evaluate_template_value(&value, &context());
    assert!(resolved.unresolved().iter().any(|u| u.invalid && u.reason.contains("deeper than")));
}

#[test]
fn the_module_example_holds() {
    let mut ctx = EvalContext::new(DeploymentInfo::default());
    ctx.set_parameter("prefix", EvalValue::Known(json!("kv")));
    ctx.declare_parameter("suffix");
    assert_eq!(
        evaluate_string("[concat(parameters('prefix'), uniqueString(resourceGroup().id))]", &ctx),
        Ok(EvalValue::Known(json!("kvsv4qj77juxd6u")))
    );
    assert_eq!(
        evaluate_string("[concat(parameters('prefix'), parameters('suffix'))]", &ctx),
        Ok(EvalValue::unknown("parameter 'suffix' has no default and no parameter file value"))
    );
}
