//! Grants, checks, revokes and the default grants.

use gamesa_core::ErrorCode;
use gamesa_core::effects::{
    AuditDecision, Effect, EffectChecker, EffectError, GrantOptions, default_grants,
};

fn opts(expires: Option<u64>, targets: Option<&[&str]>) -> GrantOptions {
    GrantOptions {
        expires_at_ms: expires,
        targets: targets.map(|t| t.iter().map(|s| s.to_string()).collect()),
    }
}

#[test]
fn default_deny_and_every_check_is_recorded() {
    let mut c = EffectChecker::new();
    for e in Effect::ALL {
        let d = c.check("agent", e, None, 10).unwrap();
        assert!(!d.allowed);
        assert!(d.reason.contains("default deny"), "{}", d.reason);
    }
    assert_eq!(c.trail().len(), Effect::ALL.len() as u64);
    assert!(
        c.trail()
            .records()
            .iter()
            .all(|r| r.decision == AuditDecision::Denied && r.time_ms == 10)
    );
    assert!(c.trail().verify().is_ok());
}

#[test]
fn grant_allows_only_the_granted_effects() {
    let mut c = EffectChecker::new();
    c.grant(
        "a",
        &[Effect::CpuControl, Effect::TelemetryRead],
        GrantOptions::default(),
        0,
    )
    .unwrap();
    assert!(c.can_perform("a", Effect::CpuControl, None, 1).unwrap());
    assert!(
        c.can_perform("a", Effect::CpuControl, Some("cpu.core3"), 1)
            .unwrap()
    );
    assert!(!c.can_perform("a", Effect::GpuControl, None, 1).unwrap());
    assert!(!c.can_perform("b", Effect::CpuControl, None, 1).unwrap());
    let d = c.check("a", Effect::GpuControl, None, 1).unwrap();
    assert_eq!(
        d.reason,
        "default deny: agent 'a' holds no grant of gpu_control"
    );
}

#[test]
fn expiry_is_exclusive_and_reasoned() {
    let mut c = EffectChecker::new();
    c.grant("a", &[Effect::GpuControl], opts(Some(100), None), 0)
        .unwrap();
    assert!(c.can_perform("a", Effect::GpuControl, None, 99).unwrap());
    let d = c.check("a", Effect::GpuControl, None, 100).unwrap();
    assert!(!d.allowed);
    assert!(
        d.reason.contains("expires at 100") && d.reason.contains("expired (now 100)"),
        "{}",
        d.reason
    );
    let err = c
        .grant("a", &[Effect::GpuControl], opts(Some(50), None), 50)
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}

#[test]
fn target_scope_exact_and_prefix() {
    let mut c = EffectChecker::new();
    c.grant(
        "g",
        &[Effect::GpuControl],
        opts(None, Some(&["gpu0", "cpu.core*"])),
        0,
    )
    .unwrap();
    assert!(
        c.can_perform("g", Effect::GpuControl, Some("gpu0"), 1)
            .unwrap()
    );
    assert!(
        c.can_perform("g", Effect::GpuControl, Some("cpu.core7"), 1)
            .unwrap()
    );
    assert!(
        !c.can_perform("g", Effect::GpuControl, Some("gpu1"), 1)
            .unwrap()
    );
    let d = c.check("g", Effect::GpuControl, None, 1).unwrap();
    assert!(
        !d.allowed && d.reason.contains("names no target"),
        "{}",
        d.reason
    );
    let d = c.check("g", Effect::GpuControl, Some("gpu1"), 1).unwrap();
    assert!(
        d.reason.contains("target 'gpu1' is outside the scope")
            && d.reason.contains("[gpu0, cpu.core*]"),
        "{}",
        d.reason
    );
    // A second, unscoped grant widens the scope.
    c.grant("g", &[Effect::GpuControl], GrantOptions::default(), 2)
        .unwrap();
    assert!(
        c.can_perform("g", Effect::GpuControl, Some("gpu1"), 3)
            .unwrap()
    );
}

#[test]
fn require_denies_with_capability_denied() {
    let mut c = EffectChecker::new();
    let err = c
        .require("x", Effect::PolicyWrite, Some("grants"), 5)
        .unwrap_err();
    assert_eq!(err.code(), "CAPABILITY_DENIED");
    let msg = err.to_string();
    assert!(
        msg.contains("'x'")
            && msg.contains("policy_write")
            && msg.contains("'grants'")
            && msg.contains("default deny"),
        "{msg}"
    );
    assert_eq!(c.trail().len(), 1, "the denial is recorded");
    c.grant("x", &[Effect::PolicyWrite], GrantOptions::default(), 6)
        .unwrap();
    let d = c
        .require("x", Effect::PolicyWrite, Some("grants"), 7)
        .unwrap();
    assert!(d.allowed);
    assert_eq!(d.seq, 2);
}

#[test]
fn revoke_one_or_all_and_it_is_audited() {
    let mut c = EffectChecker::new();
    c.grant(
        "a",
        &[Effect::CpuControl, Effect::TelemetryRead],
        GrantOptions::default(),
        0,
    )
    .unwrap();
    c.grant("a", &[Effect::CpuControl], opts(None, Some(&["cpu0"])), 0)
        .unwrap();
    assert_eq!(c.revoke("a", Some(Effect::CpuControl), 1).unwrap(), 1);
    assert!(
        !c.can_perform("a", Effect::CpuControl, Some("cpu0"), 2)
            .unwrap()
    );
    assert!(c.can_perform("a", Effect::TelemetryRead, None, 2).unwrap());
    assert_eq!(c.grants("a").len(), 1, "the emptied grant is dropped");
    assert_eq!(c.revoke("a", None, 3).unwrap(), 1);
    assert_eq!(c.agents().count(), 0);
    assert_eq!(c.revoke("a", None, 4).unwrap(), 0);
    let revokes: Vec<_> = c
        .trail()
        .records()
        .iter()
        .filter(|r| r.decision == AuditDecision::Revoked)
        .collect();
    assert_eq!(revokes.len(), 3);
    assert_eq!(revokes[0].effect, Some(Effect::CpuControl));
    assert_eq!(revokes[1].effect, Some(Effect::TelemetryRead));
    assert_eq!(revokes[2].effect, None);
    assert!(revokes[2].reason.starts_with("nothing to revoke"));
    assert!(c.trail().verify().is_ok());
}

#[test]
fn bad_arguments_are_typed_and_not_recorded() {
    let mut c = EffectChecker::new();
    let cases: Vec<EffectError> = vec![
        c.check("", Effect::CpuControl, None, 0).unwrap_err(),
        c.check("a\n", Effect::CpuControl, None, 0).unwrap_err(),
        c.check("a", Effect::CpuControl, Some(""), 0).unwrap_err(),
        c.grant("a", &[], GrantOptions::default(), 0).unwrap_err(),
        c.grant("a", &[Effect::CpuControl], opts(None, Some(&[])), 0)
            .unwrap_err(),
        c.grant("a", &[Effect::CpuControl], opts(None, Some(&["a*b"])), 0)
            .unwrap_err(),
    ];
    for e in &cases {
        assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
    }
    assert!(cases[5].to_string().contains("\"a*b\""));
    assert!(c.trail().is_empty());
}

#[test]
fn default_grants_match_the_documented_table() {
    let mut c = EffectChecker::with_defaults(1000);
    let table: Vec<(&str, Vec<Effect>)> = default_grants()
        .iter()
        .map(|g| (g.agent, g.effects.to_vec()))
        .collect();
    assert_eq!(
        table,
        vec![
            (
                "cpu_agent",
                vec![
                    Effect::CpuControl,
                    Effect::ProcessControl,
                    Effect::TelemetryRead
                ]
            ),
            ("gpu_agent", vec![Effect::GpuControl, Effect::TelemetryRead]),
            (
                "thermal_agent",
                vec![Effect::ThermalControl, Effect::TelemetryRead]
            ),
            (
                "power_agent",
                vec![Effect::PowerControl, Effect::TelemetryRead]
            ),
            (
                "memory_agent",
                vec![Effect::MemoryControl, Effect::TelemetryRead]
            ),
        ]
    );
    assert_eq!(
        c.trail().len(),
        11,
        "one granted record per (agent, effect)"
    );
    for (agent, effects) in &table {
        for e in Effect::ALL {
            assert_eq!(
                c.can_perform(agent, e, None, 2000).unwrap(),
                effects.contains(&e),
                "{agent} {e}"
            );
        }
    }
    assert!(c.trail().verify().is_ok());
}
