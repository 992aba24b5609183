//! Property: a shadow rule records exactly what the same rule would do in active mode — same
//! ticks, same `held` flags, same signal strengths — on any sequence of readings and times,
//! and it never appears among the actions.

use gamesa_core::expr::{Env, Type, Value};
use gamesa_core::features::Snapshot;
use gamesa_core::rules::{Firing, RuleSet};
use proptest::prelude::*;

fn env() -> Env {
    Env::new()
        .declare("t", Type::Double)
        .declare("on", Type::Bool)
}

fn rules(mode: &str, cooldown: u32, hysteresis: bool) -> RuleSet {
    let release = if hysteresis {
        r#","hysteresis":{"releaseWhen":"t < 40.0 || !on"}"#
    } else {
        ""
    };
    let text = format!(
        r#"[{{"id":"x","domain":"thermal","priority":"high","mode":"{mode}","when":"t > 60.0 && on",
              "action":{{"kind":"cool","target":"cpu"}},"cooldownMs":{cooldown}{release},
              "emitsSignal":{{"kind":"thermal_warning","strength":"(t - 60.0) / 40.0"}}}},
            {{"id":"other","domain":"power","priority":"low","when":"t > 50.0",
              "action":{{"kind":"trim","target":"gpu0"}}}}]"#
    );
    RuleSet::from_json(&text, &env()).unwrap()
}

/// `(held, strength)` of rule `x`'s firing, if any.
fn of_x(firings: &[Firing]) -> Option<(bool, Option<f64>)> {
    firings
        .iter()
        .find(|f| &*f.id == "x")
        .map(|f| (f.held, f.signal.map(|s| s.strength)))
}

proptest! {
    #[test]
    fn shadow_records_what_active_would_do(
        cooldown in 0u32..500,
        hysteresis in any::<bool>(),
        steps in prop::collection::vec((0.0f64..100.0, any::<bool>(), 0u32..300), 1..60),
    ) {
        let mut active = rules("active", cooldown, hysteresis);
        let mut shadow = rules("shadow", cooldown, hysteresis);
        let mut snap = Snapshot::new(&env());
        let mut now = 0.0;
        for (t, on, dt) in steps {
            now += f64::from(dt);
            snap.set_named("t", Value::Double(t)).unwrap();
            snap.set_named("on", Value::Bool(on)).unwrap();
            let a = active.evaluate(&snap, now).unwrap();
            let s = shadow.evaluate(&snap, now).unwrap();
            prop_assert_eq!(of_x(&a.active), of_x(&s.shadow));
            prop_assert!(of_x(&s.active).is_none());
            prop_assert!(a.shadow.is_empty());
            // The other (active) rule is unaffected by the mode of `x`.
            prop_assert_eq!(
                a.active.iter().any(|f| &*f.id == "other"),
                s.active.iter().any(|f| &*f.id == "other")
            );
            prop_assert_eq!(active.is_latched(0), shadow.is_latched(0));
        }
        // Same number of firings in all: the shadow set only files `x`'s under shadow.
        let (a, s) = (active.stats(), shadow.stats());
        prop_assert_eq!(a.shadow_firings, 0);
        prop_assert_eq!(a.active_firings, s.active_firings + s.shadow_firings);
    }
}
