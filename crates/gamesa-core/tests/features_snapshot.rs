//! Snapshots: typed slots with presence, and the default telemetry catalog.

use gamesa_core::ErrorCode;
use gamesa_core::expr::{Env, Type, Value};
use gamesa_core::features::{
    DEFAULT_CORES, DEFAULT_GPUS, GLOBAL_VARIABLES, GPU_FIELDS, Snapshot, SnapshotError,
    describe_variable, telemetry_catalog, telemetry_catalog_for,
};

#[test]
fn the_catalog_declares_the_planned_variables_in_a_fixed_order() {
    let env = telemetry_catalog();
    assert_eq!(
        env.len(),
        GLOBAL_VARIABLES.len() + DEFAULT_CORES + DEFAULT_GPUS * GPU_FIELDS.len()
    );
    for name in [
        "cpu.util",
        "cpu.core0.util",
        "cpu.core63.util",
        "cpu.freq_mhz",
        "cpu.load1",
        "cpu.psi_some_avg10",
        "mem.used_ratio",
        "mem.available_mb",
        "swap.used_ratio",
        "mem.psi_some_avg10",
        "io.psi_some_avg10",
        "thermal.cpu_c",
        "thermal.headroom_c",
        "power.cpu_w",
        "gpu0.util",
        "gpu7.mem_total_mb",
        "gpu3.power_limit_w",
    ] {
        assert_eq!(env.type_of(name), Some(Type::Double), "{name}");
        assert!(describe_variable(name).is_some(), "{name}");
    }
    assert_eq!(env.type_of("gpu.count"), Some(Type::Int));
    assert_eq!(env.slot("cpu.util"), Some(0));
    assert_eq!(env.slot("cpu.core0.util"), Some(GLOBAL_VARIABLES.len()));
    assert_eq!(env.type_of("gpu8.util"), None);
    assert_eq!(describe_variable("gpu8x.util"), None);
    assert_eq!(describe_variable("cpu.core01.util"), None);
    let small = telemetry_catalog_for(2, 1);
    assert_eq!(small.len(), GLOBAL_VARIABLES.len() + 2 + GPU_FIELDS.len());
}

#[test]
fn slots_are_typed_and_start_absent() {
    let env = Env::new()
        .declare("d", Type::Double)
        .declare("i", Type::Int)
        .declare("u", Type::Uint)
        .declare("b", Type::Bool);
    let mut s = Snapshot::new(&env);
    assert_eq!(s.get_named("d"), None);
    s.set_named("d", Value::Double(1.5)).unwrap();
    assert_eq!(s.get_named("d"), Some(Value::Double(1.5)));
    let e = s.set_named("i", Value::Double(1.0)).unwrap_err();
    assert!(matches!(e, SnapshotError::TypeMismatch { .. }));
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(e.to_string().contains("`i` is int, got a double"), "{e}");
    assert!(matches!(
        s.set_named("zz", Value::Int(1)),
        Err(SnapshotError::Undeclared { .. })
    ));
    assert!(matches!(
        s.set(9, Value::Int(1)),
        Err(SnapshotError::NoSuchSlot { .. })
    ));
    s.clear();
    assert_eq!(s.get_named("d"), None);
}

#[test]
fn doubles_convert_to_the_slot_type_only_when_exact() {
    let env = Env::new()
        .declare("i", Type::Int)
        .declare("u", Type::Uint)
        .declare("b", Type::Bool);
    let mut s = Snapshot::new(&env);
    s.set_f64(0, -3.0).unwrap();
    assert_eq!(s.get(0), Some(Value::Int(-3)));
    s.set_f64(1, 4.0).unwrap();
    assert_eq!(s.get(1), Some(Value::Uint(4)));
    s.set_f64(2, 1.0).unwrap();
    assert_eq!(s.get(2), Some(Value::Bool(true)));
    for (slot, bad) in [
        (0, 0.5),
        (0, 9.3e18),
        (0, f64::NAN),
        (1, -1.0),
        (1, 1.9e19),
        (2, 2.0),
    ] {
        assert!(
            matches!(
                s.set_f64(slot, bad),
                Err(SnapshotError::NotRepresentable { .. })
            ),
            "{slot} {bad}"
        );
    }
    s.set_f64(0, i64::MIN as f64).unwrap();
    assert_eq!(s.get(0), Some(Value::Int(i64::MIN)));
}
