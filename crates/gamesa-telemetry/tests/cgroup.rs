//! cgroup v2 / v1 detection and reading on fake trees.

mod common;

use common::{FakeTree, psi};
use gamesa_telemetry::ReadError;
use gamesa_telemetry::cgroup::{CgroupLayout, CgroupTarget, detect_layout, read_cgroup};

fn v2_tree() -> FakeTree {
    let tree = FakeTree::new();
    tree.write("/proc/self/cgroup", "0::/user.slice/app.scope\n");
    tree.write("/sys/fs/cgroup/cgroup.controllers", "cpu memory io\n");
    let dir = "/sys/fs/cgroup/user.slice/app.scope";
    tree.write(
        &format!("{dir}/cpu.stat"),
        "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
    );
    tree.write(&format!("{dir}/memory.current"), "104857600\n");
    tree.write(&format!("{dir}/memory.max"), "209715200\n");
    tree.write(&format!("{dir}/cpu.pressure"), &psi("3.25"));
    tree
}

#[test]
fn v2_own_process() {
    let tree = v2_tree();
    let layout = detect_layout(&tree.root(), &CgroupTarget::OwnProcess).unwrap();
    assert_eq!(
        layout,
        CgroupLayout::V2 {
            dir: "/sys/fs/cgroup/user.slice/app.scope".into()
        }
    );
    let r = read_cgroup(&tree.root(), &layout);
    assert_eq!(r.cpu_usage_ns, Ok(2_500_000_000));
    assert_eq!(r.memory_bytes, Ok(104_857_600));
    assert_eq!(r.memory_limit_bytes, Ok(Some(209_715_200)));
    assert_eq!(r.cpu_psi_some_avg10, Ok(3.25));
}

#[test]
fn v2_max_means_unlimited_and_missing_files_fail_alone() {
    let tree = v2_tree();
    let dir = "/sys/fs/cgroup/user.slice/app.scope";
    tree.write(&format!("{dir}/memory.max"), "max\n");
    std::fs::remove_file(tree.path(&format!("{dir}/memory.current"))).unwrap();
    let layout = detect_layout(&tree.root(), &CgroupTarget::OwnProcess).unwrap();
    let r = read_cgroup(&tree.root(), &layout);
    assert_eq!(r.memory_limit_bytes, Ok(None));
    assert!(matches!(r.memory_bytes, Err(ReadError::Missing { .. })));
    assert!(r.cpu_usage_ns.is_ok());
}

#[test]
fn v2_explicit_path_and_malformed_cpu_stat() {
    let tree = v2_tree();
    tree.write("/sys/fs/cgroup/other/cpu.stat", "usage_usec twelve\n");
    let target = CgroupTarget::Path("/other".into());
    let layout = detect_layout(&tree.root(), &target).unwrap();
    assert_eq!(
        layout,
        CgroupLayout::V2 {
            dir: "/sys/fs/cgroup/other".into()
        }
    );
    let r = read_cgroup(&tree.root(), &layout);
    let err = r.cpu_usage_ns.unwrap_err();
    assert!(
        matches!(err, ReadError::Malformed { line: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("other/cpu.stat:1"), "{err}");
}

/// The layout of this very machine: v1 controllers plus a unified mount (hybrid).
fn hybrid_tree() -> FakeTree {
    let tree = FakeTree::new();
    tree.write(
        "/proc/self/cgroup",
        "9:name=systemd:/\n4:memory:/jobs/42\n2:cpu,cpuacct:/jobs/42\n0::/jobs/42\n",
    );
    tree.write(
        "/sys/fs/cgroup/cpu,cpuacct/jobs/42/cpuacct.usage",
        "7000000000\n",
    );
    tree.write(
        "/sys/fs/cgroup/memory/jobs/42/memory.usage_in_bytes",
        "1048576\n",
    );
    tree.write(
        "/sys/fs/cgroup/memory/jobs/42/memory.limit_in_bytes",
        "9223372036854771712\n",
    );
    tree.write("/sys/fs/cgroup/unified/jobs/42/cpu.pressure", &psi("0.50"));
    tree
}

#[test]
fn v1_hybrid_detected_from_proc_self_cgroup() {
    let tree = hybrid_tree();
    let layout = detect_layout(&tree.root(), &CgroupTarget::OwnProcess).unwrap();
    assert_eq!(layout.version(), "v1");
    assert_eq!(
        layout,
        CgroupLayout::V1 {
            cpuacct: Some("/sys/fs/cgroup/cpu,cpuacct/jobs/42".into()),
            memory: Some("/sys/fs/cgroup/memory/jobs/42".into()),
            unified: Some("/sys/fs/cgroup/unified/jobs/42".into()),
        }
    );
    let r = read_cgroup(&tree.root(), &layout);
    assert_eq!(r.cpu_usage_ns, Ok(7_000_000_000));
    assert_eq!(r.memory_bytes, Ok(1_048_576));
    // PAGE_COUNTER_MAX: no limit.
    assert_eq!(r.memory_limit_bytes, Ok(None));
    assert_eq!(r.cpu_psi_some_avg10, Ok(0.5));
}

#[test]
fn v1_limit_and_missing_controller() {
    let tree = hybrid_tree();
    tree.write(
        "/sys/fs/cgroup/memory/jobs/42/memory.limit_in_bytes",
        "536870912\n",
    );
    std::fs::remove_dir_all(tree.path("/sys/fs/cgroup/cpu,cpuacct")).unwrap();
    let layout = detect_layout(&tree.root(), &CgroupTarget::OwnProcess).unwrap();
    let r = read_cgroup(&tree.root(), &layout);
    assert_eq!(r.memory_limit_bytes, Ok(Some(536_870_912)));
    assert!(matches!(r.cpu_usage_ns, Err(ReadError::Missing { .. })));
}

#[test]
fn malformed_proc_self_cgroup_and_missing_mount() {
    let tree = v2_tree();
    tree.write("/proc/self/cgroup", "garbage\n");
    let err = detect_layout(&tree.root(), &CgroupTarget::OwnProcess).unwrap_err();
    assert!(
        matches!(err, ReadError::Malformed { line: 1, .. }),
        "{err:?}"
    );
    let empty = FakeTree::new();
    let err = detect_layout(&empty.root(), &CgroupTarget::OwnProcess).unwrap_err();
    assert!(matches!(err, ReadError::Missing { .. }), "{err:?}");
}
