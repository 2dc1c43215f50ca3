//! Behaviour on short dumps written in each tool's format.

use super::*;
use crate::Skipped;

fn run_top(text: &str, top: usize) -> (ThreadDumps, Vec<Skipped>) {
    let mut lines = Lines::new(text.as_bytes());
    let facts = analyse(&mut lines, &Options { top });
    while lines.next_line().is_some() {}
    (facts, lines.take_skipped())
}

fn run(text: &str) -> (ThreadDumps, Vec<Skipped>) {
    run_top(text, 20)
}

fn one(text: &str) -> ThreadDump {
    let (facts, _) = run(text);
    assert_eq!(facts.dump_count, 1, "{facts:#?}");
    facts.dumps.into_iter().next().unwrap()
}

fn states(dump: &ThreadDump) -> Vec<(&str, usize)> {
    dump.states.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

fn most_contended(dump: &ThreadDump) -> Vec<(&str, usize, Vec<&str>)> {
    dump.contended_locks
        .iter()
        .take(dump.most_contended_lock_count)
        .map(|l| {
            (
                l.address.as_str(),
                l.waiters,
                l.owners.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

const JDK11_DEADLOCK: &str = r#"2022-01-18 17:46:18
Full thread dump Java HotSpot(TM) 64-Bit Server VM (11.0.1+13-LTS mixed mode):

Threads class SMR info:
_java_thread_list=0x00007fceff604080, length=3, elements={
0x00007fcefc008800, 0x00007fcefc010000,
0x00007fceff832000
}

"main" #1 prio=5 os_prio=31 cpu=108.49ms elapsed=17.27s tid=0x00007fcefc008800 nid=0x2803 waiting for monitor entry  [0x000070000c44a000]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at Test.main(Test.java:13)
	- waiting to lock <0x000000070fe20f58> (a java.lang.Object)
	- locked <0x000000070fe20f48> (a java.lang.Object)

"Finalizer" #3 daemon prio=8 os_prio=31 cpu=0.31ms elapsed=17.25s tid=0x00007fcefc010000 nid=0x3403 in Object.wait()  [0x000070000cc62000]
   java.lang.Thread.State: WAITING (on object monitor)
	at java.lang.Object.wait(java.base@11.0.1/Native Method)
	- waiting on <0x000000070ff08f80> (a java.lang.ref.ReferenceQueue$Lock)
	at java.lang.ref.ReferenceQueue.remove(java.base@11.0.1/ReferenceQueue.java:155)
	- waiting to re-lock in wait() <0x000000070ff08f80> (a java.lang.ref.ReferenceQueue$Lock)
	at java.lang.ref.Finalizer$FinalizerThread.run(java.base@11.0.1/Finalizer.java:170)

"Thread-0" #12 prio=5 os_prio=31 cpu=0.49ms elapsed=17.17s tid=0x00007fceff832000 nid=0xa503 waiting for monitor entry  [0x000070000d580000]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at Test.lambda$main$0(Test.java:8)
	- waiting to lock <0x000000070fe20f48> (a java.lang.Object)
	- locked <0x000000070fe20f58> (a java.lang.Object)
	at java.lang.Thread.run(java.base@11.0.1/Thread.java:834)

"VM Thread" os_prio=31 cpu=1.48ms elapsed=17.25s tid=0x00007fceff825000 nid=0x4d03 runnable  

"GC Thread#0" os_prio=31 cpu=0.44ms elapsed=17.27s tid=0x00007fcefc01e000 nid=0x2c03 runnable  
"GC Thread#1" os_prio=31 cpu=0.44ms elapsed=17.27s tid=0x00007fcefc01f000 nid=0x2c04 runnable  
JNI global refs: 6, weak refs: 0


Found one Java-level deadlock:
=============================
"main":
  waiting to lock monitor 0x00007fcefca13e00 (object 0x000000070fe20f58, a java.lang.Object),
  which is held by "Thread-0"
"Thread-0":
  waiting to lock monitor 0x00007fcefca13f00 (object 0x000000070fe20f48, a java.lang.Object),
  which is held by "main"

Java stack information for the threads listed above:
===================================================
"main":
	at Test.main(Test.java:13)
	- waiting to lock <0x000000070fe20f58> (a java.lang.Object)
	- locked <0x000000070fe20f48> (a java.lang.Object)
"Thread-0":
	at Test.lambda$main$0(Test.java:8)
	- waiting to lock <0x000000070fe20f48> (a java.lang.Object)
	- locked <0x000000070fe20f58> (a java.lang.Object)
	at java.lang.Thread.run(java.base@11.0.1/Thread.java:834)

Found 1 deadlock.

"#;

#[test]
fn jstack_deadlock_counts_threads_states_cycle_and_locks() {
    let (facts, skipped) = run(JDK11_DEADLOCK);
    assert!(skipped.is_empty(), "{skipped:?}");
    let dump = &facts.dumps[0];
    assert_eq!(
        (
            dump.first_line,
            dump.threads,
            dump.java_threads,
            dump.threads_without_state
        ),
        (2, 6, 3, 3)
    );
    assert_eq!(states(dump), vec![("BLOCKED", 2), ("WAITING", 1)]);
    assert_eq!(dump.vm_version.as_deref(), Some("11.0.1+13-LTS mixed mode"));
    assert_eq!(dump.jdk_version.as_deref(), Some("11.0.1"));
    assert_eq!(dump.timestamp.as_deref(), Some("2022-01-18 17:46:18"));
    assert_eq!((dump.jvm_reported_deadlocks, dump.deadlock_cycles), (1, 1));
    let cycle = &dump.deadlocks[0].threads;
    assert_eq!(
        cycle.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["main", "Thread-0"]
    );
    assert_eq!(cycle[0].lock_address.as_deref(), Some("0x000000070fe20f58"));
    assert_eq!(cycle[0].held_by.as_deref(), Some("Thread-0"));
    assert_eq!(cycle[0].waits_for.as_deref(), Some("monitor"));
    // The stacks repeated under the deadlock report are not a second set of waiters, and
    // the Finalizer's re-lock line while WAITING is not contention.
    assert_eq!(
        most_contended(dump),
        vec![
            ("0x000000070fe20f48", 1, vec!["main"]),
            ("0x000000070fe20f58", 1, vec!["Thread-0"])
        ]
    );
    assert!(dump.most_contended_tie);
    assert_eq!(dump.threads_waiting_for_locks, 2);
    assert_eq!(
        dump.contended_locks[0].owner_waits_for.as_deref(),
        Some("0x000000070fe20f58")
    );
    assert_eq!(dump.header_status.get("runnable"), Some(&3));
    assert_eq!(dump.pools[0].name_prefix, "GC Thread");
    assert_eq!(dump.daemon_threads, 1);
}

#[test]
fn relock_counts_only_while_blocked() {
    let dump = one(r#"Full thread dump OpenJDK 64-Bit Server VM (11.0.2+9 mixed mode):

"worker-1" #20 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting for monitor entry  [0x0]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at java.lang.Object.wait(java.base@11.0.2/Native Method)
	- waiting on <0x00000000aa> (a com.example.Queue)
	at com.example.Queue.take(Queue.java:10)
	- waiting to re-lock in wait() <0x00000000aa> (a com.example.Queue)

"worker-2" #21 prio=5 os_prio=0 tid=0x3 nid=0x4 in Object.wait()  [0x0]
   java.lang.Thread.State: WAITING (on object monitor)
	at java.lang.Object.wait(java.base@11.0.2/Native Method)
	- waiting on <0x00000000aa> (a com.example.Queue)
	at com.example.Queue.take(Queue.java:10)
	- waiting to re-lock in wait() <0x00000000aa> (a com.example.Queue)

"producer" #22 prio=5 os_prio=0 tid=0x5 nid=0x6 runnable  [0x0]
   java.lang.Thread.State: RUNNABLE
	at com.example.Queue.put(Queue.java:20)
	- locked <0x00000000aa> (a com.example.Queue)
"#);
    assert_eq!(most_contended(&dump), vec![("0x00000000aa", 1, vec!["producer"])]);
    assert_eq!(dump.contended_locks[0].waiter_names, ["worker-1"]);
    assert_eq!(dump.contended_locks[0].class.as_deref(), Some("com.example.Queue"));
}

#[test]
fn a_thread_inside_wait_does_not_own_the_monitor() {
    // JDK 8 prints `- locked` under `- waiting on` for the same object: released.
    let dump = one(r#"Full thread dump OpenJDK 64-Bit Server VM (25.302-b08 mixed mode):

"waiter" #10 prio=5 os_prio=0 tid=0x1 nid=0x2 in Object.wait() [0x0]
   java.lang.Thread.State: WAITING (on object monitor)
	at java.lang.Object.wait(Native Method)
	- waiting on <0x00000000cc> (a java.lang.Object)
	at java.lang.Object.wait(Object.java:502)
	- locked <0x00000000cc> (a java.lang.Object)

"entrant" #11 prio=5 os_prio=0 tid=0x3 nid=0x4 waiting for monitor entry [0x0]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at com.example.A.b(A.java:1)
	- waiting to lock <0x00000000cc> (a java.lang.Object)
"#);
    assert_eq!(dump.jdk_version.as_deref(), Some("1.8.0_302"));
    assert_eq!(most_contended(&dump), vec![("0x00000000cc", 1, vec![])]);
    assert!(dump.shows_lock_owners);
}

const REENTRANT: &str = r#"Full thread dump OpenJDK 64-Bit Server VM (21.0.2+13-58 mixed mode, sharing):

"pool-4-thread-1" #31 [1001] prio=5 os_prio=31 cpu=1.00ms elapsed=5.00s tid=0x1 nid=1001 waiting on condition  [0x1]
   java.lang.Thread.State: WAITING (parking)
	at jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)
	- parking to wait for  <0x000000052c98ab18> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
	at java.util.concurrent.locks.LockSupport.park(java.base@21.0.2/LockSupport.java:221)
	at com.example.Ledger.post(Ledger.java:40)

   Locked ownable synchronizers:
	- <0x0000000500000001> (a java.util.concurrent.ThreadPoolExecutor$Worker)

"pool-4-thread-2" #32 [1002] prio=5 os_prio=31 cpu=1.00ms elapsed=5.00s tid=0x2 nid=1002 waiting on condition  [0x2]
   java.lang.Thread.State: WAITING (parking)
	at jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)
	- parking to wait for  <0x000000052c98ab18> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
	at java.util.concurrent.locks.LockSupport.park(java.base@21.0.2/LockSupport.java:221)
	at com.example.Ledger.post(Ledger.java:40)

   Locked ownable synchronizers:
	- <0x0000000500000002> (a java.util.concurrent.ThreadPoolExecutor$Worker)

"pool-4-thread-3" #33 [1003] prio=5 os_prio=31 cpu=1.00ms elapsed=5.00s tid=0x3 nid=1003 waiting on condition  [0x3]
   java.lang.Thread.State: WAITING (parking)
	at jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)
	- parking to wait for  <0x00000005aaaaaaa0> (a java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject)
	at java.util.concurrent.LinkedBlockingQueue.take(java.base@21.0.2/LinkedBlockingQueue.java:435)

   Locked ownable synchronizers:
	- None

"pool-4-thread-4" #34 [1004] prio=5 os_prio=31 cpu=9.00ms elapsed=5.00s tid=0x4 nid=1004 waiting on condition  [0x4]
   java.lang.Thread.State: TIMED_WAITING (sleeping)
	at java.lang.Thread.sleep0(java.base@21.0.2/Native Method)
	at com.example.Ledger.post(Ledger.java:44)

   Locked ownable synchronizers:
	- <0x000000052c98ab18> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
	- <0x0000000500000004> (a java.util.concurrent.ThreadPoolExecutor$Worker)
"#;

#[test]
fn parked_reentrant_lock_is_contention_and_its_owner_comes_from_the_synchronizer_list() {
    let dump = one(REENTRANT);
    assert_eq!(
        most_contended(&dump),
        vec![("0x000000052c98ab18", 2, vec!["pool-4-thread-4"])]
    );
    let lock = &dump.contended_locks[0];
    assert_eq!(lock.kind, "ownable synchronizer");
    assert_eq!(lock.owner_state.as_deref(), Some("TIMED_WAITING"));
    assert_eq!(lock.owner_frame.as_deref(), Some("java.lang.Thread.sleep0"));
    // Parking on a condition object is waiting for work, not for a lock.
    assert_eq!(dump.contended_lock_count, 1);
    assert_eq!(dump.pools[0].name_prefix, "pool-4-thread");
    assert_eq!(dump.pools[0].threads, 4);
    assert_eq!(dump.pools[0].states.get("WAITING"), Some(&3));
    assert_eq!(dump.stack_groups[0].threads, 2);
    assert_eq!(
        dump.stack_groups[0].application_frame.as_deref(),
        Some("com.example.Ledger.post")
    );
    assert_eq!(dump.jdk_version.as_deref(), Some("21.0.2"));
}

#[test]
fn without_dash_l_the_owner_of_a_parked_lock_is_unknown() {
    let text: String = REENTRANT
        .lines()
        .filter(|l| !l.contains("Locked ownable") && !l.trim_start().starts_with("- <") && !l.contains("- None"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dump = one(&text);
    assert_eq!(most_contended(&dump), vec![("0x000000052c98ab18", 2, vec![])]);
    assert!(!dump.shows_lock_owners);
}

#[test]
fn jdk5_dump_has_header_words_instead_of_states() {
    let dump = one(
        r#"Full thread dump Java HotSpot(TM) Client VM (1.5.0_22-b03 mixed mode, sharing):

"Thread-1" prio=6 tid=0x0ab5d8c0 nid=0xd6c waiting for monitor entry [0x0b01f000..0x0b01fd68]
	at Deadlock$2.run(Deadlock.java:37)
	- waiting to lock <0x02ef2c08> (a java.lang.String)
	- locked <0x02ef2c30> (a java.lang.String)

"Thread-0" prio=6 tid=0x0ab5c4b8 nid=0xf20 waiting for monitor entry [0x0afdf000..0x0afdfde8]
	at Deadlock$1.run(Deadlock.java:20)
	- waiting to lock <0x02ef2c30> (a java.lang.String)
	- locked <0x02ef2c08> (a java.lang.String)

"Low Memory Detector" daemon prio=6 tid=0x00a8a8f0 nid=0xd60 runnable [0x00000000..0x00000000]

"Finalizer" daemon prio=8 tid=0x00a52ea8 nid=0xe0c in Object.wait() [0x0ab1f000..0x0ab1fa68]
	at java.lang.Object.wait(Native Method)
	- waiting on <0x02e90ce8> (a java.lang.ref.ReferenceQueue$Lock)
	at java.lang.ref.ReferenceQueue.remove(ReferenceQueue.java:120)
	- locked <0x02e90ce8> (a java.lang.ref.ReferenceQueue$Lock)

"VM Thread" prio=10 tid=0x00a4fb50 nid=0xf34 runnable

"VM Periodic Task Thread" prio=10 tid=0x00a8bb50 nid=0xf3c waiting on condition

Found one Java-level deadlock:
=============================
"Thread-1":
  waiting to lock monitor 0x00a5318c (object 0x02ef2c08, a java.lang.String),
  which is held by "Thread-0"
"Thread-0":
  waiting to lock monitor 0x00a5305c (object 0x02ef2c30, a java.lang.String),
  which is held by "Thread-1"

Java stack information for the threads listed above:
===================================================
"Thread-1":
	at Deadlock$2.run(Deadlock.java:37)
	- waiting to lock <0x02ef2c08> (a java.lang.String)
	- locked <0x02ef2c30> (a java.lang.String)
"Thread-0":
	at Deadlock$1.run(Deadlock.java:20)
	- waiting to lock <0x02ef2c30> (a java.lang.String)
	- locked <0x02ef2c08> (a java.lang.String)

Found 1 deadlock.
"#,
    );
    assert_eq!((dump.threads, dump.java_threads), (6, 0));
    assert!(dump.states.is_empty());
    let words: Vec<(&str, usize)> = dump.header_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        words,
        vec![
            ("in Object.wait()", 1),
            ("runnable", 2),
            ("waiting for monitor entry", 2),
            ("waiting on condition", 1)
        ]
    );
    assert_eq!(dump.jdk_version.as_deref(), Some("1.5.0_22"));
    assert_eq!(dump.jvm_reported_deadlocks, 1);
    assert_eq!(dump.deadlocks[0].threads[1].held_by.as_deref(), Some("Thread-1"));
    assert_eq!(dump.most_contended_lock_count, 2);
    // Pools and stack groups fall back to the header words.
    assert_eq!(dump.stack_groups[0].state.as_deref(), Some("waiting for monitor entry"));
}

#[test]
fn kill3_inside_an_application_log_with_a_container_prefix_and_crlf() {
    let p = |ts: u32| format!("2024-05-01T10:00:{ts:02}.12345{ts}Z stdout F ");
    let mut text = String::new();
    text.push_str(&format!("{}INFO starting\r\n", p(1)));
    text.push_str(&format!("{}2024-05-01 10:00:02\r\n", p(2)));
    text.push_str(&format!(
        "{}Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):\r\n",
        p(2)
    ));
    text.push_str(&format!("{}\r\n", p(2)));
    for i in 1..=3 {
        text.push_str(&format!(
            "{}\"http-nio-8080-exec-{i}\" #{i} daemon prio=5 os_prio=0 cpu=1ms elapsed=2s tid=0x{i} nid=0x{i} waiting for monitor entry  [0x0]\r\n",
            p(3)
        ));
        text.push_str(&format!(
            "{}   java.lang.Thread.State: BLOCKED (on object monitor)\r\n",
            p(3)
        ));
        text.push_str(&format!("{}\tat com.example.Cache.get(Cache.java:10)\r\n", p(3)));
        text.push_str(&format!(
            "{}\t- waiting to lock <0x00000000d3e4f5a8> (a com.example.Cache)\r\n",
            p(13)
        ));
        text.push_str(&format!("{}\r\n", p(3)));
    }
    text.push_str(&format!(
        "{}\"loader\" #9 prio=5 os_prio=0 cpu=1ms elapsed=2s tid=0x9 nid=0x9 runnable  [0x0]\r\n",
        p(4)
    ));
    text.push_str(&format!("{}   java.lang.Thread.State: RUNNABLE\r\n", p(4)));
    text.push_str(&format!("{}\tat com.example.Cache.load(Cache.java:30)\r\n", p(4)));
    text.push_str(&format!(
        "{}\t- locked <0x00000000d3e4f5a8> (a com.example.Cache)\r\n",
        p(4)
    ));
    text.push_str(&format!(
        "{}\"VM Thread\" os_prio=0 cpu=1ms elapsed=2s tid=0x10 nid=0x10 runnable\r\n",
        p(4)
    ));
    text.push_str(&format!("{}JNI global refs: 24, weak refs: 0\r\n", p(5)));
    text.push_str(&format!("{}\r\n", p(5)));
    text.push_str(&format!("{}Heap\r\n", p(5)));
    text.push_str(&format!(
        "{} garbage-first heap   total 262144K, used 5120K [0x0, 0x1)\r\n",
        p(5)
    ));
    text.push_str(&format!(
        "{}  region size 1024K, 6 young (6144K), 0 survivors (0K)\r\n",
        p(5)
    ));
    text.push_str(&format!("{}ERROR request timed out\r\n", p(6)));
    let (facts, skipped) = run(&text);
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.java_threads), (3, 5, 4));
    assert_eq!(states(dump), vec![("BLOCKED", 3), ("RUNNABLE", 1)]);
    assert_eq!(dump.timestamp.as_deref(), Some("2024-05-01 10:00:02"));
    assert_eq!(most_contended(dump), vec![("0x00000000d3e4f5a8", 3, vec!["loader"])]);
    let reasons: Vec<(u64, u64, &str)> = skipped
        .iter()
        .map(|s| (s.count, s.first_line, s.reason.as_str()))
        .collect();
    assert!(reasons.contains(&(2, 1, OUTSIDE)), "{reasons:?}");
    assert!(reasons.contains(&(3, 27, HEAP)), "{reasons:?}");
}

#[test]
fn several_jcmd_dumps_in_one_file_are_kept_apart() {
    let dump = |pid: u32, ts: &str, n: usize| {
        let mut s =
            format!("{pid}:\n{ts}\nFull thread dump OpenJDK 64-Bit Server VM (17.0.2+8-86 mixed mode, sharing):\n\n");
        for i in 0..n {
            s.push_str(&format!(
                "\"worker-{i}\" #{i} prio=5 os_prio=0 cpu=0.1ms elapsed=1s tid=0x{i} nid=0x{i} waiting on condition  [0x0]\n   java.lang.Thread.State: TIMED_WAITING (sleeping)\n\tat java.lang.Thread.sleep(java.base@17.0.2/Native Method)\n\n"
            ));
        }
        s.push_str("JNI global refs: 5, weak refs: 0\n\n");
        s
    };
    let text = format!(
        "{}{}",
        dump(4242, "2024-05-01 10:00:00", 2),
        dump(4242, "2024-05-01 10:00:10", 3)
    );
    let (facts, skipped) = run(&text);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(facts.dump_count, 2);
    let got: Vec<_> = facts
        .dumps
        .iter()
        .map(|d| (d.first_line, d.threads, d.pid, d.timestamp.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, 2, Some(4242), Some("2024-05-01 10:00:00")),
            (17, 3, Some(4242), Some("2024-05-01 10:00:10"))
        ]
    );
    assert_eq!(facts.dumps[1].stack_groups[0].threads, 3);
    assert_eq!(facts.dumps[1].stack_groups[0].state.as_deref(), Some("TIMED_WAITING"));
    // Sleeping threads are not stuck.
    assert_eq!(facts.unchanged_thread_count, 0);
}

#[test]
fn threads_at_the_same_frames_in_every_dump_are_reported_as_unchanged() {
    let entry = |name: &str, state: &str, frame: &str| {
        format!(
            "\"{name}\" #1 prio=5 os_prio=0 tid=0x1 nid=0x1 runnable [0x0]\n   java.lang.Thread.State: {state}\n\tat {frame}(X.java:1)\n\n"
        )
    };
    let banner = "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n";
    let one = format!(
        "{banner}{}{}{}",
        entry("spinner", "RUNNABLE", "com.example.Loop.spin"),
        entry("reader", "RUNNABLE", "java.net.SocketInputStream.socketRead0"),
        entry("waiter", "BLOCKED", "com.example.Cache.get")
    );
    let two = format!(
        "{banner}{}{}{}",
        entry("spinner", "RUNNABLE", "com.example.Loop.spin"),
        entry("reader", "RUNNABLE", "com.example.Parser.parse"),
        entry("waiter", "BLOCKED", "com.example.Cache.get")
    );
    let (facts, _) = run(&format!("{one}{two}{one}"));
    assert_eq!(facts.dump_count, 3);
    assert_eq!(facts.unchanged_thread_count, 2);
    let got: Vec<(&str, &str, &str)> = facts
        .unchanged_threads
        .iter()
        .map(|u| (u.name.as_str(), u.state.as_str(), u.frame.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("spinner", "RUNNABLE", "com.example.Loop.spin"),
            ("waiter", "BLOCKED", "com.example.Cache.get")
        ]
    );
    let (single, _) = run(&one);
    assert_eq!(single.unchanged_thread_count, 0);
}

#[test]
fn threadinfo_text_names_states_in_headers_and_locks_by_hash() {
    let dump = one(r#"Full thread dump Java HotSpot(TM) 64-Bit Server VM 1.8.0_151-b12

"Thread-0" Id=12 BLOCKED on java.lang.Object@1b6d3586 owned by "Thread-1" Id=13
	at Deadlock.a(Deadlock.java:10)
	-  blocked on java.lang.Object@1b6d3586
	-  locked java.lang.Object@4554617c
	at java.lang.Thread.run(Thread.java:748)

"Thread-2" Id=14 BLOCKED on java.lang.Object@1b6d3586 owned by "Thread-1" Id=13
	at Deadlock.a(Deadlock.java:10)
	-  blocked on java.lang.Object@1b6d3586

"Thread-1" Id=13 RUNNABLE
	at Deadlock.b(Deadlock.java:20)
	-  locked java.lang.Object@1b6d3586

"pool-1-thread-2" Id=16 WAITING on java.util.concurrent.locks.ReentrantLock$NonfairSync@6d06d69c owned by "pool-1-thread-1" Id=15
	at sun.misc.Unsafe.park(Native Method)
	-  waiting on java.util.concurrent.locks.ReentrantLock$NonfairSync@6d06d69c
	at java.util.concurrent.locks.LockSupport.park(LockSupport.java:175)
	...

"pool-1-thread-1" daemon prio=5 Id=15 TIMED_WAITING
	at java.lang.Thread.sleep(Native Method)

	Number of locked synchronizers = 1
	- java.util.concurrent.locks.ReentrantLock$NonfairSync@6d06d69c
"#);
    assert_eq!(dump.format, "threadmxbean");
    assert_eq!((dump.threads, dump.java_threads), (5, 5));
    assert_eq!(
        states(&dump),
        vec![("BLOCKED", 2), ("RUNNABLE", 1), ("TIMED_WAITING", 1), ("WAITING", 1)]
    );
    assert_eq!(dump.jdk_version.as_deref(), Some("1.8.0_151"));
    assert_eq!(most_contended(&dump), vec![("0x1b6d3586", 2, vec!["Thread-1"])]);
    let sync = &dump.contended_locks[1];
    assert_eq!(
        (sync.address.as_str(), sync.owners.as_slice()),
        ("0x6d06d69c", &["pool-1-thread-1".to_string()][..])
    );
}

#[test]
fn the_jdk6_mxbean_demo_form_with_lowercase_id_and_in() {
    let (facts, skipped) = run(r#"
2007-11-06 10:30:41
Full thread dump Java HotSpot(TM) Client VM 1.6.0_03-b05

"RMI TCP Connection(23)-127.0.1.1" id=3149 in RUNNABLE (running in native)
    at java.net.SocketInputStream.socketRead0(Native Method)

    Locked synchronizers: count = 1
      - java.util.concurrent.locks.ReentrantLock$NonfairSync@166fba

"Timer-0" id=12 in TIMED_WAITING
    at java.lang.Object.wait(Native Method)
    - waiting on <0x0ab1> (a java.util.TaskQueue)
    - locked <0x0ab1> (a java.util.TaskQueue)

    Locked synchronizers: count = 0



<EndOfDump>


2007-11-06 10:30:45
Full thread dump Java HotSpot(TM) Client VM 1.6.0_03-b05

"Timer-0" id=12 in TIMED_WAITING
    at java.lang.Object.wait(Native Method)

<EndOfDump>
"#);
    assert!(skipped.is_empty(), "{skipped:?}");
    let got: Vec<_> = facts
        .dumps
        .iter()
        .map(|d| (d.first_line, d.threads, d.java_threads))
        .collect();
    assert_eq!(got, vec![(3, 2, 2), (24, 1, 1)]);
    assert_eq!(facts.dumps[0].vm_version.as_deref(), Some("1.6.0_03-b05"));
    assert_eq!(facts.dumps[1].timestamp.as_deref(), Some("2007-11-06 10:30:45"));
}

#[test]
fn visualvm_forms_old_and_new() {
    let dump = one(r#"2008-11-20 09:28:02
Full thread dump Java HotSpot(TM) 64-Bit Server VM (11.0-b15 mixed mode):

"Timer-180" - Thread t@332
   java.lang.Thread.State: TIMED_WAITING on java.util.TaskQueue@7311acb7
	at java.lang.Object.wait(Native Method)

   Locked ownable synchronizers:
	- None

"Thread-1" - Thread t@12
   java.lang.Thread.State: BLOCKED
	at Deadlock$2.run(Deadlock.java:30)
	- waiting to lock <7e9b5dcc> (a java.lang.Object) owned by "Thread-0" t@11
	at java.lang.Thread.run(Thread.java:745)

   Locked ownable synchronizers:
	- locked java.util.concurrent.locks.ReentrantLock$NonfairSync@7a29682f
"#);
    assert_eq!(
        (dump.format.as_str(), dump.threads, dump.java_threads),
        ("visualvm", 2, 2)
    );
    assert_eq!(dump.jdk_version, None, "a bare HotSpot build states no release");
    assert_eq!(dump.vm_version.as_deref(), Some("11.0-b15 mixed mode"));
    // Nobody prints `- locked <7e9b5dcc>`; the tool's `owned by` names the owner.
    assert_eq!(most_contended(&dump), vec![("0x7e9b5dcc", 1, vec!["Thread-0"])]);
}

#[test]
fn thread_dump_to_file_text_with_virtual_threads() {
    let (facts, skipped) = run(r#"4242
2024-05-01T10:00:00.123456Z
21.0.2+13-58

#1 "main"
      java.base/java.lang.Thread.sleep0(Native Method)
      java.base/java.lang.Thread.sleep(Thread.java:509)
      com.example.Main.main(Main.java:12)

#31 "" virtual
      java.base/java.lang.VirtualThread.park(VirtualThread.java:582)
      java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:369)

#32 "" virtual
      java.base/java.lang.VirtualThread.park(VirtualThread.java:582)
      java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:369)

"#);
    assert!(skipped.is_empty(), "{skipped:?}");
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.format.as_str(), dump.threads, dump.virtual_threads),
        ("thread_dump_to_file", 3, 2)
    );
    assert_eq!((dump.first_line, dump.pid), (5, Some(4242)));
    assert_eq!(dump.jdk_version.as_deref(), Some("21.0.2"));
    assert_eq!(dump.timestamp.as_deref(), Some("2024-05-01T10:00:00.123456Z"));
    assert_eq!(dump.stack_groups[0].threads, 2);
    assert_eq!(dump.stack_groups[0].frames[0], "java.lang.VirtualThread.park");
    assert_eq!(
        dump.stack_groups[1].application_frame.as_deref(),
        Some("com.example.Main.main")
    );
}

#[test]
fn jhsdb_jstack_reports_deadlocks_before_the_threads() {
    let (facts, _) = run(r#"Attaching to process ID 4242, please wait...
Debugger attached successfully.
Server compiler detected.
JVM version is 25.91-b14
Deadlock Detection:

Found one Java-level deadlock:
=============================

"Thread-1":
  waiting to lock Monitor@0x00007f1c3c003f28 (Object@0x000000076ab3a1b0, a java/lang/Object),
  which is held by "Thread-0"
"Thread-0":
  waiting to lock Monitor@0x00007f1c3c006578 (Object@0x000000076ab3a1c0, a java/lang/Object),
  which is held by "Thread-1"

Found a total of 1 deadlock.

"Thread-1" #9 prio=5 tid=0x00007f1c6c0d3000 nid=0x1a2b waiting for monitor entry [0x00007f1c2d5f4000]
   java.lang.Thread.State: BLOCKED (on object monitor)
   JavaThread state: _thread_blocked
 - Deadlock$2.run() @bci=13, line=30 (Interpreted frame)
	- waiting to lock <0x000000076ab3a1b0> (a java.lang.Object)
	- locked <0x000000076ab3a1c0> (a java.lang.Object)
 - java.lang.Thread.run() @bci=11, line=748 (Interpreted frame)

"Thread-0" #8 prio=5 tid=0x00007f1c6c0d1000 nid=0x1a2a waiting for monitor entry [0x00007f1c2d6f5000]
   java.lang.Thread.State: BLOCKED (on object monitor)
   JavaThread state: _thread_blocked
 - Deadlock$1.run() @bci=13, line=20 (Interpreted frame)
	- waiting to lock <0x000000076ab3a1c0> (a java.lang.Object)
	- locked <0x000000076ab3a1b0> (a java.lang.Object)
"#);
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.jvm_reported_deadlocks), (5, 2, 1));
    assert_eq!(dump.vm_version.as_deref(), Some("25.91-b14"));
    assert_eq!(dump.jdk_version.as_deref(), Some("1.8.0_91"));
    assert_eq!(
        dump.deadlocks[0].threads[0].lock_class.as_deref(),
        Some("java.lang.Object")
    );
    assert_eq!(dump.stack_groups[0].frames[0], "Deadlock$2.run");
    assert_eq!(dump.most_contended_lock_count, 2);
}

#[test]
fn a_javacore_cut_after_its_first_thread_is_still_read() {
    let (facts, _) = run(
        "0SECTION       TITLE subcomponent dump routine\nNULL           ===============================\n1TISIGINFO     Dump Event \"user\" (00004000) received\n3XMTHREADINFO      \"main\" J9VMThread:0x00000000021F6300, omrthread_t:0x00007F, java/lang/Thread:0x00000000E0A0E098, state:R, prio=5\n",
    );
    assert_eq!((facts.dump_count, facts.unsupported_dumps), (1, 0));
    assert_eq!(facts.dumps[0].format, "javacore");
    assert_eq!(facts.dumps[0].threads, 1);
}

#[test]
fn lists_are_bounded_by_top_while_counts_cover_everything() {
    let mut text = String::from("Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n");
    for i in 0..30 {
        text.push_str(&format!(
            "\"exec-{i}\" #{i} prio=5 os_prio=0 tid=0x{i} nid=0x{i} waiting for monitor entry [0x0]\n   java.lang.Thread.State: BLOCKED (on object monitor)\n\tat com.example.M{i}.run(M.java:1)\n\t- waiting to lock <0x{:x}> (a java.lang.Object)\n\n",
            0x1000 + i % 10
        ));
    }
    let (facts, _) = run_top(&text, 3);
    let dump = &facts.dumps[0];
    assert_eq!((dump.contended_lock_count, dump.contended_locks.len()), (10, 3));
    assert_eq!((dump.most_contended_waiters, dump.most_contended_lock_count), (3, 10));
    assert_eq!(dump.contended_locks[0].waiter_names, ["exec-0", "exec-10", "exec-20"]);
    assert_eq!(dump.contended_locks[0].address, "0x1000");
    assert_eq!((dump.stack_group_count, dump.stack_groups.len()), (30, 3));
    assert_eq!((dump.pools[0].threads, dump.threads_waiting_for_locks), (30, 30));
}

#[test]
fn lines_that_cannot_be_placed_are_counted() {
    let (facts, skipped) = run(r#"some preface
Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):

"a" #1 prio=5 os_prio=0 tid=0x1 nid=0x1 runnable [0x0]
   java.lang.Thread.State: RUNNABLE
	at A.a(A.java:1)
an application line printed in the middle of the dump
os_prio=31 cpu=221.42ms elapsed=41.13s tid=0x0000000124752e00 nid=39171 runnable
"b" #2 prio=5 os_prio=0 tid=0x2 nid=0x2 runnable [0x0]
   java.lang.Thread.State: RUNNABLE
JNI global refs: 1, weak refs: 0
after the dump
"#);
    assert_eq!(facts.dumps[0].threads, 2);
    assert_eq!(facts.dumps[0].last_line, 11);
    let got: Vec<(u64, u64, &str)> = skipped
        .iter()
        .map(|s| (s.count, s.first_line, s.reason.as_str()))
        .collect();
    assert_eq!(got, vec![(2, 1, OUTSIDE), (1, 7, UNRECOGNISED), (1, 8, HEADLESS)]);
}

#[test]
fn spaces_instead_of_tabs_and_names_with_odd_characters() {
    let dump = one(
        "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n\"job |x| \u{1b}[31mred \u{00e9}\u{4e2d}\" #1 daemon prio=5 os_prio=0 tid=0x1 nid=0x1 waiting for monitor entry [0x0]\n    java.lang.Thread.State: BLOCKED (on object monitor)\n        at A.a(A.java:1)\n        - waiting to lock <0x00000000000000AB> (a A)\n\"holder\" #2 prio=5 os_prio=0 tid=0x2 nid=0x2 runnable [0x0]\n    java.lang.Thread.State: RUNNABLE\n        at A.b(A.java:2)\n        - locked <0x00000000000000ab> (a A)\n",
    );
    assert_eq!(most_contended(&dump), vec![("0x00000000000000ab", 1, vec!["holder"])]);
    assert_eq!(
        dump.contended_locks[0].waiter_names[0],
        "job |x| \u{1b}[31mred \u{00e9}\u{4e2d}"
    );
}

#[test]
fn hostile_input_never_panics() {
    let inputs = [
        "\"",
        "\"\" ",
        "\"unterminated #1 prio=5",
        "Full thread dump",
        "Full thread dump (",
        "Full thread dump VM )(",
        "#",
        "#1 \"",
        "- waiting to lock <",
        "- waiting to lock <0x>",
        "Found one Java-level deadlock:\n\"\":\n  waiting to lock monitor (object , a ),\nwhich is held by \"",
        "Found 99999999999999999999999 deadlocks.",
        "\u{feff}\"é\" #1 prio=5 tid=é nid=é é [é",
        "Full thread dump OpenJDK VM (x):\n\"a\" #1 tid=0x1\n   java.lang.Thread.State:\n\t- locked é@é\n\t- parking to wait for <0xZZ>\n\tat \n",
    ];
    for input in inputs {
        let (facts, _) = run(input);
        let _ = serde_json_round_trip(&facts);
    }
}

fn serde_json_round_trip(facts: &ThreadDumps) -> ThreadDumps {
    let json = serde_json::to_string(facts).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn an_empty_or_unrelated_file_has_no_dumps() {
    let (facts, skipped) = run("2024-05-01 10:00:00 INFO hello\n\nbye\n");
    assert_eq!(facts.dump_count, 0);
    assert_eq!(skipped[0].count, 2);
    let (facts, skipped) = run("");
    assert_eq!((facts.dump_count, skipped.len()), (0, 0));
}

#[test]
fn sap_jvm_three_line_headers_and_monitor_summary() {
    let (facts, skipped) = run(r#"Thread dump triggered at 2026-01-27 20:45:13
Full thread dump SAP Java Server VM (8.1.108 11.0.30+000 Jan 16 2026 19:39:58 - 81_REL - optU - windows amd64 - 6 - bas2:343998 (mixed mode)):

"Finalizer" #3 daemon prio=8 os_prio=1 cpu=0.00 [reset 0.00] ms elapsed=396.63 [reset 396.63] s allocated=0 B (0 B) [reset 0 B (0 B)] defined_classes=0
io= file i/o: 0/0 B, net i/o: 0/0 B, files opened:0, socks opened:0  [reset file i/o: 0/0 B, net i/o: 0/0 B, files opened:0, socks opened:0 ] 
tid=0x00000192681ff000 nid=0x7624 / 30244 in Object.wait()   [_thread_blocked (_at_safepoint), stack(0x00000014bbc00000,0x00000014bbd00000)] [0x00000014bbcff000]
   java.lang.Thread.State: WAITING (on object monitor)
	at java.lang.Object.wait(J)V(Native Method)
	- waiting on <0x00000000eaf2e248> (a java.lang.ref.ReferenceQueue$Lock)

"VM Thread" os_prio=2 cpu=46.88 [reset 46.88] ms elapsed=396.65 [reset 396.65] s  defined_classes=0
io= file i/o: 0/0 B, net i/o: 0/0 B, files opened:0, socks opened:0  [reset file i/o: 0/0 B ] 
tid=0x00000192683e9800 nid=0x4a58 / 19032 runnable  

Monitors:
  <0x00000000eaf2e248> (a java.lang.ref.ReferenceQueue$Lock) monitor=0x00000192683efd80 wait count=1 recursions=0 
owner=0x0000000000000000 
    WaitSet (1 waiter):
      "Finalizer" tid=0x00000192681ff000 parked (1) event=-1 notified=false

Information about alerts happening during the 397.04 seconds the VM is running
    No alert for: Spurious wakeup

JNI global refs: 47, weak refs: 1492
"#);
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.threads, dump.java_threads),
        (2, 1),
        "the WaitSet's quoted name is not a thread"
    );
    assert_eq!(dump.timestamp.as_deref(), Some("2026-01-27 20:45:13"));
    assert_eq!(dump.jdk_version.as_deref(), Some("11.0.30"));
    assert!(dump.vm_version.as_deref().unwrap().starts_with("8.1.108 11.0.30+000"));
    let words: Vec<(&str, usize)> = dump.header_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(words, vec![("in Object.wait()", 1), ("runnable", 1)]);
    assert_eq!(dump.stack_groups[0].frames, ["java.lang.Object.wait"]);
    assert!(skipped.iter().all(|s| s.reason == SUMMARY), "{skipped:?}");
}

#[test]
fn jrockit_dump_with_a_circular_lock_chain() {
    let dump = one(r#"===== FULL THREAD DUMP ===============
Mon Feb 11 16:02:56 2008
Oracle JRockit(R) R28.2.7-7-155314-1.6.0_45-20130329-0641-linux-x86_64

"Main Thread" id=1 idx=0x4 tid=24390 prio=5 alive, in native
    at java/lang/Object.wait(J)V(Native Method)
    at Deadlock.main(Deadlock.java:40)

"Thread-0" id=13 idx=0x3c tid=11363 prio=5 alive, blocked
    -- Blocked trying to get lock: java/lang/Object@0x01A0F4E0[thin lock]
    at Deadlock$1.run(Deadlock.java:20)
    ^-- Holding lock: java/lang/Object@0x01A0F4E8[thin lock]

"Thread-1" id=14 idx=0x40 tid=11364 prio=5 alive, blocked
    -- Blocked trying to get lock: java/lang/Object@0x01A0F4E8[thin lock]
    at Deadlock$2.run(Deadlock.java:30)
    ^-- Holding lock: java/lang/Object@0x01A0F4E0[thin lock]

Circular (deadlocked) lock chains
=================================
Chain 6:
"Thread-1" id=14 idx=0x40 tid=11364 waiting for java/lang/Object@0x01A0F4E8 held by:
"Thread-0" id=13 idx=0x3c tid=11363 waiting for java/lang/Object@0x01A0F4E0 held by:
"Thread-1" id=14 idx=0x40 tid=11364

===== END OF THREAD DUMP ===============
"#);
    assert_eq!(dump.threads, 3);
    assert_eq!(dump.timestamp.as_deref(), Some("Mon Feb 11 16:02:56 2008"));
    assert_eq!(dump.jdk_version.as_deref(), Some("1.6.0_45"));
    assert_eq!(dump.header_status.get("alive, blocked"), Some(&2));
    assert_eq!(dump.stack_groups[0].frames[0], "java.lang.Object.wait");
    let cycle: Vec<(&str, Option<&str>)> = dump.deadlocks[0]
        .threads
        .iter()
        .map(|t| (t.name.as_str(), t.held_by.as_deref()))
        .collect();
    assert_eq!(
        cycle,
        vec![("Thread-1", Some("Thread-0")), ("Thread-0", Some("Thread-1"))]
    );
    assert_eq!(
        dump.jvm_reported_deadlocks, 0,
        "JRockit prints no `Found N deadlock` line"
    );
    assert_eq!(
        most_contended(&dump),
        vec![("0x01a0f4e0", 1, vec!["Thread-1"]), ("0x01a0f4e8", 1, vec!["Thread-0"])]
    );
}

#[test]
fn jdk21_carriers_and_mounted_virtual_threads() {
    let dump = one(
        r#"Full thread dump OpenJDK 64-Bit Server VM (21.0.2+13-LTS mixed mode, sharing):

"ForkJoinPool-1-worker-1" #11 daemon [11] prio=5 os_prio=0 cpu=5678.90ms elapsed=58230.14s tid=0x00007f8b2c158000 nid=0x1ac7 runnable  [0x00007f8b234f5000]
   java.lang.Thread.State: RUNNABLE
        at com.example.app.StuckService.heavyProcessing(StuckService.java:45)
        at java.lang.VirtualThread.run(java.base@21.0.2/VirtualThread.java:309)
   Carrying virtual thread #21

"VirtualThread[#21]" #21 virtual [21] prio=5 os_prio=0 cpu=45.23ms elapsed=12345.67s tid=0x00007f8b2c200000 nid=0x1ac8 runnable  [0x0000000000000000]
   java.lang.Thread.State: RUNNABLE
        at com.example.app.StuckService.heavyProcessing(StuckService.java:45)
"#,
    );
    assert_eq!(
        (
            dump.threads,
            dump.virtual_threads,
            dump.carrier_threads,
            dump.daemon_threads
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(dump.header_status.get("runnable"), Some(&2));
}

#[test]
fn thread_dump_to_file_json() {
    let (facts, skipped) = run(r#"{
  "threadDump": {
    "processId": "3862",
    "time": "2026-01-25T15:46:04.439828Z",
    "runtimeVersion": "21.0.10+7-LTS",
    "threadContainers": [
      {
        "container": "<root>",
        "parent": null,
        "owner": null,
        "threads": [
         {
           "tid": "1",
           "name": "main \"quoted\"",
           "stack": [
              "java.base\/java.lang.Thread.sleep0(Native Method)",
              "com.example.Main.main(Main.java:12)"
           ]
         },
         {
           "tid": "11",
           "name": "Signal Dispatcher",
           "stack": [
           ]
         },
         {
           "tid": "40",
           "name": "",
           "virtual": true,
           "stack": [
              "java.base\/java.lang.VirtualThread.park(VirtualThread.java:582)"
           ]
         }
        ],
        "threadCount": "3"
      }
    ]
  }
}
"#);
    assert!(skipped.is_empty(), "{skipped:?}");
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.format.as_str(), dump.threads, dump.virtual_threads),
        ("thread_dump_to_file_json", 3, 1)
    );
    assert_eq!((dump.pid, dump.jdk_version.as_deref()), (Some(3862), Some("21.0.10")));
    assert_eq!(dump.timestamp.as_deref(), Some("2026-01-25T15:46:04.439828Z"));
    assert_eq!(dump.stack_groups[0].thread_names, ["main \"quoted\""]);
    assert_eq!(
        dump.stack_groups[0].frames,
        ["java.lang.Thread.sleep0", "com.example.Main.main"]
    );
}

#[test]
fn tanuki_wrapper_prefix_is_stripped_from_every_line() {
    let text = "STATUS | wrapper  | 2008/07/30 15:10:50 | --> Wrapper Started as Daemon
INFO   | jvm 1    | 2008/07/30 15:10:56 | 2008-07-30 15:10:56
INFO   | jvm 1    | 2008/07/30 15:10:56 | Full thread dump Java HotSpot(TM) Server VM (1.5.0_12-b04 mixed mode):
INFO   | jvm 1    | 2008/07/30 15:10:56 | 
INFO   | jvm 1    | 2008/07/30 15:10:56 | \"Thread-1\" prio=1 tid=0x0abc nid=0x1d0 waiting for monitor entry [0xb0b1d000..0xb0b1d8b0]
INFO   | jvm 1    | 2008/07/30 15:10:56 | \tat Worker.run(Worker.java:12)
INFO   | jvm 1    | 2008/07/30 15:10:56 | \t- waiting to lock <0x8c4ba6d0> (a Cache)
INFO   | jvm 1    | 2008/07/30 15:10:57 | 
INFO   | jvm 1    | 2008/07/30 15:10:57 | \"Thread-0\" prio=1 tid=0x0abd nid=0x1cf runnable [0xb0b9e000..0xb0b9e830]
INFO   | jvm 1    | 2008/07/30 15:10:57 | \tat Cache.load(Cache.java:40)
INFO   | jvm 1    | 2008/07/30 15:10:57 | \t- locked <0x8c4ba6d0> (a Cache)
INFO   | jvm 1    | 2008/07/30 15:10:57 | 
INFO   | jvm 1    | 2008/07/30 15:10:57 | \"VM Thread\" prio=1 tid=0x0abe nid=0x1c0 runnable 
INFO   | jvm 1    | 2008/07/30 15:10:57 | 
INFO   | jvm 1    | 2008/07/30 15:10:57 | JNI global references: 1234
INFO   | jvm 1    | 2008/07/30 15:10:57 | 
INFO   | jvm 1    | 2008/07/30 15:10:57 | Heap
INFO   | jvm 1    | 2008/07/30 15:10:57 |  PSYoungGen      total 1234K, used 567K [0x1, 0x2, 0x3)
INFO   | jvm 1    | 2008/07/30 15:11:00 | application line after the dump
";
    let (facts, skipped) = run(text);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.java_threads), (3, 3, 0));
    assert_eq!(dump.header_status.get("waiting for monitor entry"), Some(&1));
    assert_eq!(most_contended(dump), vec![("0x8c4ba6d0", 1, vec!["Thread-0"])]);
    assert_eq!(dump.jdk_version.as_deref(), Some("1.5.0_12"));
    let got: Vec<(u64, u64, &str)> = skipped
        .iter()
        .map(|s| (s.count, s.first_line, s.reason.as_str()))
        .collect();
    // The date line under the same prefix is the dump's time.
    assert_eq!(dump.timestamp.as_deref(), Some("2008-07-30 15:10:56"));
    assert_eq!(got, vec![(2, 1, OUTSIDE), (2, 17, HEAP)]);
}

#[test]
fn jstack_f_threads_have_no_names_and_hotspot_states() {
    let (facts, skipped) = run(r#"Attaching to process ID 4242, please wait...
Debugger attached successfully.
Server compiler detected.
JVM version is 25.91-b14
Deadlock Detection:

No deadlocks found.

Thread 4251: (state = BLOCKED)
 - java.lang.Object.wait(long) @bci=0 (Interpreted frame)
 - java.lang.ref.ReferenceQueue.remove(long) @bci=59, line=143 (Interpreted frame)


Thread 4250: (state = IN_NATIVE)
 - java.net.SocketInputStream.socketRead0(java.io.FileDescriptor, byte[], int, int, int) @bci=0 (Interpreted frame)
"#);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.java_threads), (5, 2, 0));
    assert_eq!(dump.header_status.get("IN_NATIVE"), Some(&1));
    assert_eq!(dump.stack_groups[0].frames[0], "java.lang.Object.wait");
    assert_eq!(dump.jdk_version.as_deref(), Some("1.8.0_91"));
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!((skipped[0].count, skipped[0].first_line), (3, 1));
}

#[test]
fn android_art_traces_count_their_threads() {
    let (facts, _) = run(r#"----- pid 4242 at 2024-05-01 10:00:00 -----
Cmd line: com.example.app

DALVIK THREADS (2):
"main" prio=5 tid=1 Blocked
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x72c8c5e8 self=0x7b5a610c00
  | sysTid=4242 nice=-10 cgrp=top-app sched=0/0 handle=0x7c5e2734f8
  at com.example.Cache.get(Cache.java:10)
  - waiting to lock <0x0e6f8a52> (a com.example.Cache) held by thread 21
  native: #00 pc 000000000004e36c  /apex/com.android.runtime/lib64/bionic/libc.so (syscall+28)

"worker" prio=5 tid=21 Native
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x13280000 self=0x7ab3c22000
  at com.example.Cache.load(Cache.java:40)
  - locked <0x0e6f8a52> (a com.example.Cache)

----- end 4242 -----
"#);
    let dump = &facts.dumps[0];
    assert_eq!((dump.threads, dump.header_status.get("Blocked")), (2, Some(&1)));
    assert_eq!(most_contended(dump), vec![("0x0e6f8a52", 1, vec!["worker"])]);
}

#[test]
fn sap_jvm_6_headers_name_their_priority_and_ids_on_the_third_line() {
    let (facts, skipped) = run(r#"Thread dump triggered at 2013-02-11 10:47:04
Full thread dump SAP Java Server VM (6.1.036 19.1-b02 Dec  6 2011 10:47:23 - 61_REL - optU - hpux parisc - 6 - bas2:1 (mixed mode)):

"Attach Listener" daemon cpu=1.54 [reset 1.54] ms allocated=16288 B (15.91 kB) [reset 16288 B (15.91 kB)] defined_classes=0
io= file i/o: 0/0 B, net i/o: 0/0 B, files opened:0, socks opened:0  [reset file i/o: 0/0 B, net i/o: 0/0 B ]
prio=5 tid=0x8000000100e7adf8 nid=0x4aafae / 4894638  pthread-id=32 waiting on condition  [_thread_blocked (_at_safepoint), stack(0x1,0x2)] [0x0]
   java.lang.Thread.State: RUNNABLE
   JavaThread state: _thread_blocked
Thread: 0x8000000100e7adf8  [0x4aafae] State: _at_safepoint _has_called_back 0 _at_poll_safepoint 0
   JavaThread state: _thread_blocked

   Locked ownable synchronizers:
	- None

"Sender" cpu=52212.99 [reset 52212.99] ms allocated=92238584 B (87.97 MB) [reset 92238584 B (87.97 MB)] defined_classes=0
io= file i/o: 0/0 B, net i/o: 0/23052630000 B, files opened:0, socks opened:1  [reset file i/o: 0/0 B ]
prio=5 tid=0x800000010037f770 nid=0x4aafac / 4894636  pthread-id=31 runnable  [_thread_blocked (_at_safepoint), stack(0x3,0x4)] [0x5]
   java.lang.Thread.State: RUNNABLE
	at java.net.DatagramSocket.send(Ljava/net/DatagramPacket;)V(DatagramSocket.java:625)
	- locked <0x80000300308cd478> (a java.net.DatagramPacket)
"#);
    let dump = &facts.dumps[0];
    assert_eq!((dump.threads, dump.java_threads, dump.daemon_threads), (2, 2, 1));
    assert_eq!(states(dump), vec![("RUNNABLE", 2)]);
    let words: Vec<(&str, usize)> = dump.header_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(words, vec![("runnable", 1), ("waiting on condition", 1)]);
    assert!(skipped.is_empty(), "{skipped:?}");
}

#[test]
fn sap_jvm_deadlock_reports_name_threads_with_their_address() {
    let (facts, skipped) = run(
        r#"Full thread dump SAP Java Server VM (6.1.036 19.1-b02 Dec  6 2011 10:47:23 - 61_REL (mixed mode)):

"Worker" #9 prio=5 os_prio=0 tid=0x0000000000001 nid=0x1 runnable  [0x0]
   java.lang.Thread.State: RUNNABLE

Found one Java-level deadlock:
=============================
"Deadlock A" (tid=0x8000000100bc26b8):
  waiting for ownable synchronizer 0x8000030005840e38, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),
  which is held by "Deadlock B" (tid=0x8000000100bc5480)
"Deadlock B" (tid=0x8000000100bc5480):
  waiting for ownable synchronizer 0x8000030005830e10, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),
  which is held by "Deadlock A" (tid=0x8000000100bc26b8)

Java stack information for the threads listed above:
===================================================
"Deadlock A"(tid=0x8000000100bc26b8):
	at sun.misc.Unsafe.park(ZJ)V(Native Method)
	- parking to wait for  <0x8000030005840e38> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
"Deadlock B"(tid=0x8000000100bc5480):
	at sun.misc.Unsafe.park(ZJ)V(Native Method)
	- parking to wait for  <0x8000030005830e10> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)

Found 1 deadlock.

Threads (in)directly waiting on deadlocked thread "Deadlock A" (tid=0x8000000100bc26b8)
=======================================================================================
"Indirectly deadlocked" (tid=0x8000000100bc9860):
  waiting for ownable synchronizer 0x8000030005830e10, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),
  which is held by "Deadlock A" (tid=0x8000000100bc26b8)
"#,
    );
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.threads, dump.jvm_reported_deadlocks, dump.deadlock_cycles),
        (1, 1, 1)
    );
    let cycle = &dump.deadlocks[0].threads;
    let names: Vec<&str> = cycle.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Deadlock A", "Deadlock B"]);
    assert_eq!(cycle[0].held_by.as_deref(), Some("Deadlock B"));
    assert_eq!(cycle[1].lock_address.as_deref(), Some("0x8000030005830e10"));
    // The names after the deadlock summary are SAP's, not entries or unplaced lines.
    assert!(skipped.iter().all(|s| s.reason == SUMMARY), "{skipped:?}");
}

#[test]
fn spring_boot_actuator_text_names_owned_synchronizers_with_a_capital_locked() {
    let dump = one(r#"2024-03-05 10:15:30
Full thread dump OpenJDK 64-Bit Server VM (17.0.10+7 mixed mode):

"http-nio-8080-exec-1" - Thread t@41
   java.lang.Thread.State: WAITING
	at java.base@17.0.10/jdk.internal.misc.Unsafe.park(Native Method)
	- parking to wait for <3f2a1b7c> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)

   Locked ownable synchronizers:
	- None

"http-nio-8080-exec-3" - Thread t@43
   java.lang.Thread.State: TIMED_WAITING
	at java.base@17.0.10/java.lang.Thread.sleep(Native Method)

   Locked ownable synchronizers:
	- Locked <3f2a1b7c> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
"#);
    assert_eq!(
        most_contended(&dump),
        vec![("0x3f2a1b7c", 1, vec!["http-nio-8080-exec-3"])]
    );
}

#[test]
fn a_thread_name_with_a_line_break_still_makes_one_entry() {
    let (facts, skipped) = run(r#"Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):

"main" #1 prio=5 os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x00007f0001 nid=0x10 runnable  [0x00007f]
   java.lang.Thread.State: RUNNABLE
	at Foo.main(Foo.java:1)

"job
tenant=acme" #12 prio=5 os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x00007f0002 nid=0x11 waiting on condition  [0x00007f]
   java.lang.Thread.State: WAITING (parking)
	at jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)

"VM Thread" os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x00007f0003 nid=0x12 runnable

"an unterminated quote that a header follows
"Worker" #13 prio=5 os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x00007f0004 nid=0x13 runnable
	at Foo.work(Foo.java:9)

"an unterminated quote that no header follows
JNI global refs: 5, weak refs: 0
"#);
    let dump = &facts.dumps[0];
    assert_eq!((dump.threads, dump.java_threads), (4, 2));
    assert_eq!(states(dump), vec![("RUNNABLE", 1), ("WAITING", 1)]);
    assert!(dump.stack_groups.iter().any(|g| g.thread_names == ["job\ntenant=acme"]));
    assert!(
        dump.stack_groups.iter().any(|g| g.thread_names == ["Worker"]),
        "{:?}",
        dump.stack_groups
    );
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        (skipped[0].count, skipped[0].first_line, skipped[0].reason.as_str()),
        (2, 14, UNRECOGNISED)
    );
}

#[test]
fn intellij_debugger_dumps_name_the_lock_a_blocked_thread_waits_for() {
    let (facts, skipped) = run(r#""Thread-0@602" prio=5 tid=0xd nid=NA waiting for monitor entry
  java.lang.Thread.State: BLOCKED
	 blocks Thread-1@603
	 waiting for Thread-1@603 to release lock on <0x25c> (a java.lang.Object)
	  at Main.lambda$main$0(Main.java:12)
	  - locked <0x25d> (a java.lang.Object)

"Thread-1@603" prio=5 tid=0xe nid=NA waiting for monitor entry
  java.lang.Thread.State: BLOCKED
	 blocks Thread-0@602
	 waiting for Thread-0@602 to release lock on <0x25d> (a java.lang.Object)
	  at Main.lambda$main$1(Main.java:20)
	  - locked <0x25c> (a java.lang.Object)
"#);
    let dump = &facts.dumps[0];
    assert_eq!(
        most_contended(dump),
        vec![("0x25c", 1, vec!["Thread-1@603"]), ("0x25d", 1, vec!["Thread-0@602"])]
    );
    assert!(skipped.is_empty(), "{skipped:?}");
}

#[test]
fn jdk6_header_words_stop_at_a_stack_range_without_a_space() {
    let dump = one(
        r#"Full thread dump Java HotSpot(TM) 64-Bit Server VM (20.45-b01 mixed mode):

"Spool Thread" daemon prio=10 tid=0x00007f1a16aa0800 nid=0x3f5b sleeping[0x00007f199997a000]
   java.lang.Thread.State: TIMED_WAITING (sleeping)
	at java.lang.Thread.sleep(Native Method)

"Collector 8" daemon group="main" prio=5 tid=431,909 nid=431,909 waiting 
"#,
    );
    assert_eq!(dump.threads, 2);
    assert_eq!(dump.header_status.get("sleeping"), Some(&1));
    assert_eq!(dump.header_status.get("waiting"), Some(&1));
}

#[test]
fn a_thread_queueing_to_re_lock_after_wait_does_not_own_the_monitor() {
    // JDK 17+: a notified thread prints `- waiting to re-lock in wait()` on its wait frame
    // and `- locked` for the same object further down; it has not got it back yet.
    let dump = one(r#"Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):

"consumer-1" #21 prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x1 nid=0x1 waiting for monitor entry  [0x1]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at java.lang.Object.wait(java.base@17.0.9/Native Method)
	- waiting to re-lock in wait() <0x00000000ca000010> (a com.example.Buffer)
	at com.example.Buffer.take(Buffer.java:20)
	- locked <0x00000000ca000010> (a com.example.Buffer)

"consumer-2" #22 prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x2 nid=0x2 waiting for monitor entry  [0x2]
   java.lang.Thread.State: BLOCKED (on object monitor)
	at java.lang.Object.wait(java.base@17.0.9/Native Method)
	- waiting to re-lock in wait() <0x00000000ca000010> (a com.example.Buffer)
	at com.example.Buffer.take(Buffer.java:20)
	- locked <0x00000000ca000010> (a com.example.Buffer)

"producer" #23 prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x3 nid=0x3 runnable  [0x3]
   java.lang.Thread.State: RUNNABLE
	at com.example.Buffer.put(Buffer.java:30)
	- locked <0x00000000ca000010> (a com.example.Buffer)
"#);
    assert_eq!(most_contended(&dump), vec![("0x00000000ca000010", 2, vec!["producer"])]);
}

/// `(count, first line, reason)` of each skipped-input note.
fn skip_notes(skipped: &[Skipped]) -> Vec<(u64, u64, &str)> {
    skipped
        .iter()
        .map(|s| (s.count, s.first_line, s.reason.as_str()))
        .collect()
}

#[test]
fn a_docker_json_file_log_is_read_through_its_wrapper() {
    // `docker logs` files: each line of the dump is the `log` member of one JSON object,
    // with quotes and tabs escaped; a line over 16 KiB comes in pieces without `\n`.
    let line = |text: &str| {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"").replace('\t', "\\t");
        format!("{{\"log\":\"{escaped}\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T08:00:01.123456789Z\"}}\n")
    };
    let mut text = line("INFO starting");
    for l in [
        "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):",
        "",
        "\"worker \"1\"\" #20 prio=5 os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x1 nid=0x1 waiting for monitor entry  [0x0]",
        "   java.lang.Thread.State: BLOCKED (on object monitor)",
        "\tat com.example.Cache.get(Cache.java:10)",
        "\t- waiting to lock <0x00000000d3e4f5a8> (a com.example.Cache)",
        "",
    ] {
        text.push_str(&line(l));
    }
    // The owner's header, split by Docker into two pieces.
    text.push_str(
        "{\"log\":\"\\\"loader\\\" #21 prio=5 os_prio=0 cpu=1.00ms \",\"stream\":\"stdout\",\"time\":\"t\"}\n",
    );
    text.push_str(&line("elapsed=2.00s tid=0x2 nid=0x2 runnable  [0x0]"));
    for l in [
        "   java.lang.Thread.State: RUNNABLE",
        "\tat com.example.Cache.load(Cache.java:30)",
        "\t- locked <0x00000000d3e4f5a8> (a com.example.Cache)",
        "",
        "JNI global refs: 4, weak refs: 0",
    ] {
        text.push_str(&line(l));
    }
    text.push_str(&line("ERROR request timed out"));
    let (facts, skipped) = run(&text);
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.java_threads), (2, 2, 2));
    assert_eq!(states(dump), vec![("BLOCKED", 1), ("RUNNABLE", 1)]);
    assert_eq!(dump.contended_locks[0].waiter_names, ["worker \"1\""]);
    assert_eq!(most_contended(dump), vec![("0x00000000d3e4f5a8", 1, vec!["loader"])]);
    assert_eq!(skip_notes(&skipped), vec![(2, 1, OUTSIDE)]);
}

#[test]
fn jhsdb_jstack_locks_names_owned_synchronizers_with_slashes_and_its_own_errors() {
    // `jhsdb jstack --locks` (JDK 9+): owned synchronizers as `- <0x…>, (a java/util/…)`; an
    // error of the agent while walking a stack prints its own Java trace into the entry.
    let (facts, skipped) = run(r#"Attaching to process ID 18469, please wait...
Debugger attached successfully.
Server compiler detected.
JVM version is 17.0.15+6-Debian-1deb12u1
Deadlock Detection:

No deadlocks found.

"exporter" #12 daemon prio=5 tid=0x00007fa30411a770 nid=0x4839 runnable [0x0000000000000000]
   java.lang.Thread.State: RUNNABLE
   JavaThread state: _thread_in_java
 - Many.lambda$main$0() @bci=14, line=17 (Compiled frame; information may be imprecise)
Error occurred during stack walking:
java.lang.NullPointerException: Cannot invoke "sun.jvm.hotspot.debugger.Address.getOopHandleAt(long)" because "valueAddr" is null
	at jdk.hotspot.agent/sun.jvm.hotspot.runtime.CompiledVFrame.createStackValue(CompiledVFrame.java:236)
	at jdk.hotspot.agent/sun.jvm.hotspot.tools.JStack.run(JStack.java:67)

Locked ownable synchronizers:
    - None

"rw-writer" #21 daemon prio=5 tid=0x00007fa304128750 nid=0x4842 waiting on condition [0x00007fa2826fe000]
   java.lang.Thread.State: TIMED_WAITING (sleeping)
   JavaThread state: _thread_blocked
 - java.lang.Thread.sleep(long) @bci=0 (Interpreted frame)
 - Many.sleep(long) @bci=1, line=52 (Interpreted frame)

Locked ownable synchronizers:
    - <0x000000069ec1b808>, (a java/util/concurrent/locks/ReentrantReadWriteLock$NonfairSync)

"rw-reader-0" #22 daemon prio=5 tid=0x00007fa304129cf0 nid=0x4843 waiting on condition [0x00007fa2825fe000]
   java.lang.Thread.State: WAITING (parking)
   JavaThread state: _thread_blocked
 - jdk.internal.misc.Unsafe.park(boolean, long) @bci=0 (Interpreted frame)
	- parking to wait for  <0x000000069ec1b808> (a java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync)
 - java.util.concurrent.locks.LockSupport.park(java.lang.Object) @bci=14, line=211 (Interpreted frame)

Locked ownable synchronizers:
    - None
"#);
    let dump = &facts.dumps[0];
    assert_eq!((dump.first_line, dump.threads, dump.java_threads), (5, 3, 3));
    assert_eq!(most_contended(dump), vec![("0x000000069ec1b808", 1, vec!["rw-writer"])]);
    assert_eq!(
        dump.contended_locks[0].class.as_deref(),
        Some("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync")
    );
    // The agent's trace is not the thread's stack.
    let exporter = dump
        .stack_groups
        .iter()
        .find(|g| g.thread_names == ["exporter"])
        .unwrap();
    assert_eq!(exporter.frames, ["Many.lambda$main$0"]);
    assert!(skip_notes(&skipped).contains(&(4, 13, SA_ERROR)), "{skipped:?}");
}

#[test]
fn jhsdb_jstack_mixed_keeps_one_dump_and_names_headerless_java_threads() {
    // JDK 9+ `--mixed` prints each thread's block after a `----------------- <id>` line,
    // with the Java header when there is one; JDK 8 `jstack -m` prints no headers, so a
    // block with Java frames (`* method`) is named like `jstack -F` names it.
    let (facts, skipped) = run("Attaching to process ID 18469, please wait...
Debugger attached successfully.
Server compiler detected.
JVM version is 17.0.15+6-Debian-1deb12u1
Deadlock Detection:

Found one Java-level deadlock:
=============================

\"dl-A\":
  waiting to lock Monitor@0x00007fa274001750 (Object@0x000000069ec1b1f0, a java/lang/Object),
  which is held by \"dl-B\"
\"dl-B\":
  waiting to lock Monitor@0x00007fa27c0015c0 (Object@0x000000069ec1b1e0, a java/lang/Object),
  which is held by \"dl-A\"

Found a total of 1 deadlock.

----------------- 18508 -----------------
\"dl-A\" #17 daemon prio=5 tid=0x00007fa3041242c0 nid=0x483e waiting for monitor entry [0x00007fa282afe000]
   java.lang.Thread.State: BLOCKED (on object monitor)
   JavaThread state: _thread_blocked
0x00007fa309e98f16\t__futex_abstimed_wait_common + 0xc6
0x00007fa2f4ed41e3\t* Many.lambda$main$2() bci:13 line:22 (Interpreted frame)
----------------- 18477 -----------------
0x00007fa309e98f16\t__futex_abstimed_wait_common + 0xc6
0x00007fa309e9b8bc\t___pthread_cond_timedwait + 0x21c
----------------- 4251 -----------------
0x00007f1c7a0cc6d5\t__pthread_cond_wait + 0xc5
0x00007f1c64015e34\t* java.lang.Object.wait(long) bci:0 (Interpreted frame)
0x00007f1c64007d2d\t* java.lang.ref.ReferenceQueue.remove(long) bci:59 line:143 (Interpreted frame)
");
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.threads, dump.java_threads, dump.jvm_reported_deadlocks),
        (2, 1, 1)
    );
    let names: Vec<&str> = dump.deadlocks[0].threads.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["dl-A", "dl-B"]);
    let headerless = dump
        .stack_groups
        .iter()
        .find(|g| g.thread_names == ["Thread 4251"])
        .unwrap();
    assert_eq!(
        headerless.frames,
        ["java.lang.Object.wait", "java.lang.ref.ReferenceQueue.remove"]
    );
    assert_eq!(
        dump.stack_groups
            .iter()
            .find(|g| g.thread_names == ["dl-A"])
            .unwrap()
            .frames,
        ["Many.lambda$main$2"]
    );
    // The native-only block (a GC thread) is no entry, and says so.
    assert!(skip_notes(&skipped).contains(&(3, 25, MIXED_NATIVE)), "{skipped:?}");
}

const ANDROID_TWO_PROCESSES: &str = r#"
----- pid 4242 at 2024-05-01 10:00:00.123456789+0000 -----
Cmd line: com.example.app
Build fingerprint: 'google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/10747034:userdebug/dev-keys'
ABI: 'x86_64'
Heap: 47% free, 4MB/8MB; 106342 objects
DALVIK THREADS (4):
"Signal Catcher" daemon prio=10 tid=6 Runnable
  | group="system" sCount=0 ucsCount=0 flags=0 obj=0x12c401a8 self=0x7b5a6e5000
  | sysTid=4250 nice=-20 cgrp=top-app sched=0/0 handle=0x7a1b2c3cb0
  kernel: (couldn't read /proc/self/task/4250/stack)
  native: #00 pc 00000000005b4f1e  /apex/com.android.art/lib64/libart.so (art::DumpNativeStack+110)
  (no managed stack frames)

"main" prio=5 tid=1 Blocked
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x72c8c5e8 self=0x7b5a610c00
  at com.example.Cache.get(Cache.java:10)
  - waiting to lock <0x0e6f8a52> (a com.example.Cache) held by thread 21
  at com.example.MainActivity.onResume(MainActivity.java:30)

"AsyncTask #1" prio=5 tid=22 Blocked
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x13280100 self=0x7ab3c23000
  at com.example.Cache.get(Cache.java:10)
  - waiting to lock <0x0e6f8a52> (a com.example.Cache) held by thread 21

"worker" prio=5 tid=21 Native
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x13280000 self=0x7ab3c22000
  native: #00 pc 000000000004e36c  /apex/com.android.runtime/lib64/bionic/libc.so (read+28)
  at libcore.io.Linux.read(Native method)
  at com.example.Cache.load(Cache.java:40)

----- end 4242 -----

----- pid 1000 at 2024-05-01 10:00:01.000000000+0000 -----
Cmd line: system_server
DALVIK THREADS (1):
"main" prio=5 tid=1 Sleeping
  | group="main" sCount=1 ucsCount=0 flags=1 obj=0x72c8c5e8 self=0x7b5a610c00
  at java.lang.Thread.sleep(Native method)
  - sleeping on <0x0a1b2c3d> (a java.lang.Object)

----- end 1000 -----

----- Waiting Channels: pid 1000 at 2024-05-01 10:00:01.5+0000 -----
Cmd line: system_server
sysTid=1000      SyS_epoll_wait
----- end 1000 -----
"#;

#[test]
fn android_traces_are_one_dump_per_process_and_held_by_names_the_owner() {
    let (facts, skipped) = run(ANDROID_TWO_PROCESSES);
    assert_eq!(facts.dump_count, 2);
    let app = &facts.dumps[0];
    assert_eq!((app.first_line, app.last_line, app.pid), (2, 32, Some(4242)));
    assert_eq!(app.timestamp.as_deref(), Some("2024-05-01 10:00:00.123456789+0000"));
    assert_eq!((app.threads, app.java_threads), (4, 0));
    let words: Vec<(&str, usize)> = app.header_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(words, vec![("Blocked", 2), ("Native", 1), ("Runnable", 1)]);
    // `worker` shows no `- locked` line (it holds the lock from native code); the waiters'
    // `held by thread 21` names it through its `tid=21`.
    assert_eq!(most_contended(app), vec![("0x0e6f8a52", 2, vec!["worker"])]);
    let server = &facts.dumps[1];
    assert_eq!(
        (server.threads, server.pid, server.contended_lock_count),
        (1, Some(1000), 0)
    );
    assert_eq!(
        skip_notes(&skipped),
        vec![(5, 3, ANDROID_PREFACE), (4, 44, OUTSIDE)],
        "the waiting-channels block is no dump"
    );
}

const JAVACORE_J9: &str = "0SECTION       TITLE subcomponent dump routine
NULL           ===============================
1TICHARSET     UTF-8
1TISIGINFO     Dump Event \"user\" (00004000) received
1TIDATETIMEUTC Date: 2024/05/01 at 08:00:00:123 (UTC)
1TIDATETIME    Date: 2024/05/01 at 10:00:00:123
NULL           ------------------------------------------------------------------------
0SECTION       ENVINFO subcomponent dump routine
NULL           =================================
1CIJAVAVERSION JRE 1.8.0 Linux amd64-64 (build 8.0.8.20 - pxa6480sr8fp20-20240111_01(SR8 FP20))
1CIVMVERSION   VM build 20231211_58044
1CIPROCESSID   Process ID: 4242 (0x1092)
NULL           ------------------------------------------------------------------------
0SECTION       LOCKS subcomponent dump routine
NULL           ===============================
1LKMONPOOLDUMP Monitor Pool Dump (flat & inflated object-monitors):
2LKMONINUSE      sys_mon_t:0x00007F2E0C0A3CE8 infl_mon_t: 0x00007F2E0C0A3D68:
3LKMONOBJECT       java/lang/Object@0x00000000E0BF7CC8: Flat locked by \"Thread-0\" (J9VMThread:0x0000000000B8B900), entry count 1
3LKWAITERQ            Waiting to enter:
3LKWAITER                \"Thread-1\" (J9VMThread:0x0000000000B8C100)
NULL
1LKDEADLOCK    Deadlock detected !!!
NULL           ---------------------
2LKDEADLOCKTHR  Thread \"Thread-1\" (0x0000000000B8C100)
3LKDEADLOCKWTR    is waiting for:
4LKMONOBJECT        java/lang/Object@0x00000000E0BF7CC8: owner \"Thread-0\" (0x0000000000B8B900), entry count 1
3LKDEADLOCKOWN    which is owned by:
2LKDEADLOCKTHR  Thread \"Thread-0\" (0x0000000000B8B900)
3LKDEADLOCKWTR    is waiting for:
4LKMONOBJECT        java/lang/Object@0x00000000E0BF7CD8: owner \"Thread-1\" (0x0000000000B8C100), entry count 1
3LKDEADLOCKOWN    which is owned by:
2LKDEADLOCKTHR  Thread \"Thread-1\" (0x0000000000B8C100)
NULL
0SECTION       THREADS subcomponent dump routine
NULL           =================================
1XMPOOLINFO    JVM Thread pool info:
2XMPOOLTOTAL       Current total number of pooled threads: 18
1XMCURTHDINFO  Current thread
3XMTHREADINFO      \"main\" J9VMThread:0x0000000000B6B600, omrthread_t:0x00007F2E0C0082D0, java/lang/Thread:0x00000000E0A2C1B0, state:R, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0x1, isDaemon:false)
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at com/ibm/jvm/Dump.JavaDumpImpl(Native Method)
4XESTACKTRACE                at com/example/Main.main(Main.java:40)
NULL
1XMTHDINFO     Thread Details
3XMTHREADINFO      \"main\" J9VMThread:0x0000000000B6B600, omrthread_t:0x00007F2E0C0082D0, java/lang/Thread:0x00000000E0A2C1B0, state:R, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0x1, isDaemon:false)
3XMTHREADINFO1            (native thread ID:0x1093, native priority:0x5, native policy:UNKNOWN, vmstate:CW, vm thread flags:0x00000481)
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at com/ibm/jvm/Dump.JavaDumpImpl(Native Method)
4XESTACKTRACE                at com/example/Main.main(Main.java:40)
3XMTHREADINFO3           Native callstack:
4XENATIVESTACK               (0x00007F2E12A8E2D2 [libj9prt29.so+0x4f2d2])
NULL
3XMTHREADINFO      \"Thread-0\" J9VMThread:0x0000000000B8B900, omrthread_t:0x00007F2E0C0A2A18, java/lang/Thread:0x00000000E0BF7D28, state:B, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0xE, isDaemon:false)
3XMTHREADBLOCK     Blocked on: java/lang/Object@0x00000000E0BF7CD8 Owned by: \"Thread-1\" (J9VMThread:0x0000000000B8C100, java/lang/Thread:0x00000000E0BF7E28)
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at Deadlock$1.run(Deadlock.java:20)
5XESTACKTRACE                   (entered lock: java/lang/Object@0x00000000E0BF7CC8, entry count: 1)
4XESTACKTRACE                at java/lang/Thread.run(Thread.java:825)
NULL
3XMTHREADINFO      \"Thread-1\" J9VMThread:0x0000000000B8C100, omrthread_t:0x00007F2E0C0A3A18, java/lang/Thread:0x00000000E0BF7E28, state:B, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0xF, isDaemon:false)
3XMTHREADBLOCK     Blocked on: java/lang/Object@0x00000000E0BF7CC8 Owned by: \"Thread-0\" (J9VMThread:0x0000000000B8B900, java/lang/Thread:0x00000000E0BF7D28)
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at Deadlock$2.run(Deadlock.java:30)
5XESTACKTRACE                   (entered lock: java/lang/Object@0x00000000E0BF7CD8, entry count: 1)
NULL
3XMTHREADINFO      \"pool-1-thread-1\" J9VMThread:0x0000000000B8D100, omrthread_t:0x00007F2E0C0A4A18, java/lang/Thread:0x00000000E0BF8E28, state:P, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0x10, isDaemon:true)
3XMTHREADBLOCK     Parked on: java/util/concurrent/locks/AbstractQueuedSynchronizer$ConditionObject@0x00000000E0C1A3F0 Owned by: <unknown>
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at sun/misc/Unsafe.park(Native Method)
NULL
3XMTHREADINFO      \"Finalizer thread\" J9VMThread:0x0000000000B6F600, omrthread_t:0x00007F2E0C00A2D0, java/lang/Thread:0x00000000E0A2E1B0, state:CW, prio=5
3XMJAVALTHREAD            (java/lang/Thread getId:0x2, isDaemon:true)
3XMTHREADBLOCK     Waiting on: java/lang/ref/ReferenceQueue@0x00000000E0A04390 Owned by: <unowned>
3XMTHREADINFO3           Java callstack:
4XESTACKTRACE                at java/lang/Object.wait(Native Method)
4XESTACKTRACE                at java/lang/ref/ReferenceQueue.remove(ReferenceQueue.java:105)
5XESTACKTRACE                   (entered lock: java/lang/ref/ReferenceQueue@0x00000000E0A04390, entry count: 1)
NULL
3XMTHREADINFO      Anonymous native thread
3XMTHREADINFO1            (native thread ID:0x10A0, native priority: 0x0, native policy:UNKNOWN)
NULL
0SECTION       CLASSES subcomponent dump routine
NULL           =================================
1CLTEXTCLLOS   \tClassloader summaries
2CLTEXTCLLOADER\t\tp---st-- Loader *System*(0x00000000E0A02B68)
NULL           ------------------------------------------------------------------------
0SECTION       Javadump End section
NULL           ---------------------- END OF DUMP -------------------------------------
";

#[test]
fn ibm_javacore_threads_lock_waits_and_deadlock_are_read() {
    let (facts, skipped) = run(JAVACORE_J9);
    assert_eq!((facts.dump_count, facts.unsupported_dumps), (1, 0));
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.format.as_str(), dump.first_line, dump.last_line),
        ("javacore", 1, 93)
    );
    assert_eq!(dump.timestamp.as_deref(), Some("2024/05/01 at 10:00:00:123"));
    assert_eq!((dump.pid, dump.jdk_version.as_deref()), (Some(4242), Some("1.8.0")));
    // The dumping thread, listed under `Current thread` and again, is one entry; the
    // anonymous native thread is none. J9 prints no Thread.State: its codes are header words.
    assert_eq!((dump.threads, dump.java_threads, dump.daemon_threads), (5, 0, 2));
    let words: Vec<(&str, usize)> = dump.header_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(words, vec![("B", 2), ("CW", 1), ("P", 1), ("R", 1)]);
    let cycle: Vec<(&str, Option<&str>, Option<&str>)> = dump.deadlocks[0]
        .threads
        .iter()
        .map(|t| (t.name.as_str(), t.lock_address.as_deref(), t.held_by.as_deref()))
        .collect();
    assert_eq!(
        cycle,
        vec![
            ("Thread-1", Some("0x00000000e0bf7cc8"), Some("Thread-0")),
            ("Thread-0", Some("0x00000000e0bf7cd8"), Some("Thread-1"))
        ]
    );
    assert_eq!(
        dump.jvm_reported_deadlocks, 0,
        "a javacore prints no `Found N deadlocks`"
    );
    // Owners are the threads that entered the monitor; parking on a condition and waiting
    // in `Object.wait()` are no contention.
    assert_eq!(
        most_contended(dump),
        vec![
            ("0x00000000e0bf7cc8", 1, vec!["Thread-0"]),
            ("0x00000000e0bf7cd8", 1, vec!["Thread-1"])
        ]
    );
    assert_eq!(dump.contended_lock_count, 2);
    assert_eq!(dump.contended_locks[0].class.as_deref(), Some("java.lang.Object"));
    let main = dump.stack_groups.iter().find(|g| g.thread_names == ["main"]).unwrap();
    assert_eq!(main.frames, ["com.ibm.jvm.Dump.JavaDumpImpl", "com.example.Main.main"]);
    assert_eq!(
        skip_notes(&skipped),
        vec![
            (5, 3, javacore::JAVACORE_OTHER),
            (1, 46, javacore::JAVACORE_REPEAT),
            (1, 84, javacore::JAVACORE_NATIVE)
        ]
    );
}

#[test]
fn an_old_javacore_names_waiters_only_in_its_monitor_table() {
    // IBM Java 5/6: `(TID:…)` headers and no `3XMTHREADBLOCK` lines; who waits to enter a
    // monitor and who owns it is in the LOCKS section only.
    let dump = one("0SECTION       TITLE subcomponent dump routine
1TIDATETIME    Date:                 2009/03/02 at 14:21:40
0SECTION       LOCKS subcomponent dump routine
2LKMONINUSE      sys_mon_t:0x0015D8D8 infl_mon_t: 0x0015D918:
3LKMONOBJECT       com/example/Cache@0x103A03F8/0x103A0404: owner \"loader\" (0x002F7700), entry count 1
3LKWAITERQ            Waiting to enter:
3LKWAITER                \"worker-1\" (0x002F8200)
3LKWAITER                \"worker-2\" (0x002F8300)
3LKNOTIFYQ            Waiting to be notified:
3LKWAITNOTIFY            \"idle\" (0x002F8400)
0SECTION       THREADS subcomponent dump routine
3XMTHREADINFO      \"loader\" (TID:0x002F7700, sys_thread_t:0x0042F2C8, state:R, native ID:0x00000D5C) prio=5
4XESTACKTRACE          at com/example/Cache.load(Cache.java:40)
3XMTHREADINFO      \"worker-1\" (TID:0x002F8200, sys_thread_t:0x0042F3C8, state:B, native ID:0x00000D5D) prio=5
4XESTACKTRACE          at com/example/Cache.get(Cache.java:10)
3XMTHREADINFO      \"worker-2\" (TID:0x002F8300, sys_thread_t:0x0042F4C8, state:B, native ID:0x00000D5E) prio=5
4XESTACKTRACE          at com/example/Cache.get(Cache.java:10)
3XMTHREADINFO      \"idle\" (TID:0x002F8400, sys_thread_t:0x0042F5C8, state:CW, native ID:0x00000D5F) prio=5
4XESTACKTRACE          at java/lang/Object.wait(Native Method)
");
    assert_eq!((dump.threads, dump.header_status.get("B")), (4, Some(&2)));
    assert_eq!(most_contended(&dump), vec![("0x103a03f8", 2, vec!["loader"])]);
    assert_eq!(dump.contended_locks[0].class.as_deref(), Some("com.example.Cache"));
}

const JDK25_DUMP_TO_FILE: &str = "4242
2025-10-01T10:00:00.123456Z
25+36-LTS

#1 \"main\" WAITING 2025-10-01T10:00:00.124Z
    at java.base/java.lang.Object.wait0(Native Method)
    - waiting on <java.lang.Object@1b6d3586>
    at java.base/java.lang.Object.wait(Object.java:389)
    at com.example.Main.main(Main.java:12)
    - locked <java.lang.Object@1b6d3586>

#30 \"worker-1\" BLOCKED 2025-10-01T10:00:00.125Z
    at com.example.Cache.get(Cache.java:10)
    - waiting to lock <com.example.Cache@4e50df2e>

#31 \"worker-2\" BLOCKED 2025-10-01T10:00:00.125Z
    at com.example.Cache.get(Cache.java:10)
    - waiting to lock <com.example.Cache@4e50df2e>

#32 \"loader\" RUNNABLE 2025-10-01T10:00:00.125Z
    at com.example.Cache.load(Cache.java:40)
    - locked <com.example.Cache@4e50df2e>
    - lock is eliminated

#40 \"\" virtual WAITING 2025-10-01T10:00:00.126Z
    at java.base/java.lang.VirtualThread.park(VirtualThread.java:661)
    - parking to wait for <java.util.concurrent.locks.ReentrantLock$NonfairSync@7a81197d>
    at java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221)
";

#[test]
fn jdk25_thread_dump_to_file_text_names_states_and_locks_by_identity() {
    let (facts, skipped) = run(JDK25_DUMP_TO_FILE);
    assert!(skipped.is_empty(), "{skipped:?}");
    let dump = &facts.dumps[0];
    assert_eq!(
        (
            dump.format.as_str(),
            dump.threads,
            dump.java_threads,
            dump.virtual_threads
        ),
        ("thread_dump_to_file", 5, 5, 1)
    );
    assert_eq!(states(dump), vec![("BLOCKED", 2), ("RUNNABLE", 1), ("WAITING", 2)]);
    assert_eq!(dump.jdk_version.as_deref(), Some("25"));
    assert_eq!(most_contended(dump), vec![("0x4e50df2e", 2, vec!["loader"])]);
    assert_eq!(dump.contended_locks[0].class.as_deref(), Some("com.example.Cache"));
    // Parked on a ReentrantLock: contention, owner unknown in the text form.
    assert_eq!(dump.contended_locks[1].address, "0x7a81197d");
    assert_eq!(dump.contended_locks[1].kind, "ownable synchronizer");
    assert_eq!(
        dump.stack_groups
            .iter()
            .find(|g| g.thread_names == ["main"])
            .unwrap()
            .frames[0],
        "java.lang.Object.wait0"
    );
}

const JDK25_JSON: &str = r#"{
  "threadDump": {
    "processId": "4242",
    "time": "2025-10-01T10:00:00.123456Z",
    "runtimeVersion": "25+36-LTS",
    "threadContainers": [
      {
        "container": "<root>",
        "parent": null,
        "owner": null,
        "threads": [
          {
            "tid": "30",
            "time": "2025-10-01T10:00:00.125Z",
            "name": "worker-1",
            "state": "BLOCKED",
            "blockedOn": "com.example.Cache@4e50df2e",
            "stack": [
              "com.example.Cache.get(Cache.java:10)"
            ]
          },
          {
            "tid": "32",
            "time": "2025-10-01T10:00:00.125Z",
            "name": "loader",
            "state": "RUNNABLE",
            "stack": [
              "com.example.Cache.load(Cache.java:40)"
            ],
            "monitorsOwned": [
              {
                "depth": 0,
                "locks": [
                  "com.example.Cache@4e50df2e"
                ]
              }
            ]
          },
          {
            "tid": "33",
            "time": "2025-10-01T10:00:00.125Z",
            "name": "{",
            "state": "WAITING",
            "waitingOn": "java.lang.Object@1b6d3586",
            "stack": [
              "java.base\/java.lang.Object.wait0(Native Method)"
            ],
            "monitorsOwned": [
              {
                "depth": 2,
                "locks": [
                  "java.lang.Object@1b6d3586"
                ]
              }
            ]
          }
        ],
        "threadCount": "3"
      },
      {
        "container": "java.util.concurrent.ThreadPerTaskExecutor@24d46ca6",
        "parent": "<root>",
        "owner": "32",
        "threads": [
          {
            "tid": "40",
            "time": "2025-10-01T10:00:00.126Z",
            "virtual": true,
            "name": "",
            "state": "WAITING",
            "parkBlocker": {
              "object": "java.util.concurrent.locks.ReentrantLock$NonfairSync@7a81197d",
              "owner": "30"
            },
            "stack": [
              "java.base\/java.lang.VirtualThread.park(VirtualThread.java:661)"
            ],
            "carrier": "12"
          },
          {
            "tid": "41",
            "time": "2025-10-01T10:00:00.126Z",
            "virtual": true,
            "name": "",
            "state": "WAITING",
            "parkBlocker": {
              "object": "java.util.concurrent.locks.ReentrantLock$NonfairSync@7a81197d",
              "owner": "30"
            },
            "stack": [
            ]
          }
        ],
        "threadCount": "2"
      }
    ]
  }
}
"#;

#[test]
fn jdk25_json_dump_nests_park_blockers_owned_monitors_and_thread_times() {
    let (facts, skipped) = run(JDK25_JSON);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(facts.dump_count, 1);
    let dump = &facts.dumps[0];
    assert_eq!((dump.threads, dump.virtual_threads), (5, 2));
    assert_eq!(dump.stack_groups.iter().filter(|g| g.thread_names == ["{"]).count(), 1);
    // Each thread's own `time` is not the dump's.
    assert_eq!(dump.timestamp.as_deref(), Some("2025-10-01T10:00:00.123456Z"));
    assert_eq!(states(dump), vec![("BLOCKED", 1), ("RUNNABLE", 1), ("WAITING", 3)]);
    // The park blocker's `owner` is a thread id; the monitor's owner is in `monitorsOwned`;
    // the thread in `Object.wait()` owns nothing.
    assert_eq!(most_contended(dump), vec![("0x7a81197d", 2, vec!["worker-1"])]);
    assert_eq!(dump.contended_locks[1].owners, ["loader"]);
    assert!(dump.shows_lock_owners);
}

#[test]
fn openj9_thread_print_is_threadinfo_text_with_a_counted_synchronizer_list() {
    // OpenJ9's `jcmd Thread.print -l`: `java.vm.info` lines, then `ThreadInfo` text with a
    // priority, and `Locked ownable synchronizers: N`.
    let (facts, skipped) = run("4242:
JRE 11 Linux amd64-64-Bit Compressed References 20240116_676 (JIT enabled, AOT enabled)
OpenJ9   - 2c3d78b48
OMR      - ea8124dbc
JCL      - 2aad089841f based on jdk-11.0.22+7

\"main\" prio=5 Id=1 TIMED_WAITING
\tat java.base@11.0.22/java.lang.Thread.sleep(Native Method)

\tLocked ownable synchronizers: 0

\"Thread-0\" prio=5 Id=14 WAITING on java.util.concurrent.locks.ReentrantLock$NonfairSync@1f2e3d4c owned by \"Thread-1\" Id=15
\tat java.base@11.0.22/jdk.internal.misc.Unsafe.park(Native Method)

\tLocked ownable synchronizers: 0

\"Thread-1\" prio=5 Id=15 BLOCKED on java.lang.Object@8c1d3b0f owned by \"main\" Id=1
\tat Deadlock$2.run(Deadlock.java:30)

\tLocked ownable synchronizers: 1
\t- java.util.concurrent.locks.ReentrantLock$NonfairSync@1f2e3d4c
");
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.format.as_str(), dump.threads, dump.java_threads),
        ("threadmxbean", 3, 3)
    );
    assert_eq!(
        most_contended(dump),
        vec![("0x1f2e3d4c", 1, vec!["Thread-1"]), ("0x8c1d3b0f", 1, vec!["main"])]
    );
    assert_eq!(skip_notes(&skipped), vec![(5, 1, OUTSIDE)]);
}

#[test]
fn hostile_input_on_the_newer_paths_never_panics() {
    let inputs = [
        "{\"log\":\"",
        "{\"log\":\"\\u\"}",
        "{\"log\":\"\\ud800\\u\"}",
        "{\"log\":\"Full thread dump \\ud83d\\ude00 VM (x):\\n\"}\n{\"log\":\"\\\"a\\\" tid=1 prio=5\\n\"}",
        "{\"log\":\"partial\"}",
        "----- pid 1 at x -----\nDALVIK THREADS (1):\n\"a\" prio=5 tid=99999999999999999999 Blocked\n  - waiting to lock <0x1> held by thread 99999999999999999999\n----- end 1 -----",
        "0SECTION       TITLE\n3XMTHREADINFO \"\n3XMTHREADINFO \"\"\n3XMTHREADBLOCK Blocked on:\n5XESTACKTRACE (entered lock:\n1LKDEADLOCK\n2LKDEADLOCKTHR Thread \"\n4LKMONOBJECT @\n",
        "0SECTION LOCKS\n3LKWAITER \"x\"\n3LKMONOBJECT : owner\n1LKDEADLOCK\n2LKDEADLOCKTHR \"é\"\n2LKDEADLOCKTHR \"é\"",
        "{\n\"threadDump\": {\n]]]]]]]]\n}\n}\n}\n\"x\": [\n\"y\"\n",
        "{\n\"threadDump\": {\n\"threads\": [\n{\n\"parkBlocker\": {\n\"owner\": \"1\"\n}\n\"stack\": [\n\"a(b)\"\n",
        "-----------------  -----------------\n0x\t* \n0x1\t*\n----------------- 1 -----------------\n0x1\t* x(",
        "#1 \"a\" BLOCKED\n    - waiting to lock <@>\n    - waiting to lock <x@>\n    - locked <java.lang.Object@zz>",
    ];
    for input in inputs {
        let (facts, _) = run(input);
        let _ = serde_json_round_trip(&facts);
    }
    let deep = format!("{{\n\"threadDump\": {{\n{}", "\"a\": [\n".repeat(10_000));
    let (facts, _) = run(&deep);
    assert_eq!(facts.dump_count, 1);
}

#[test]
fn a_dump_indented_as_a_whole_keeps_headers_apart_from_frames() {
    let text: String = JDK11_DEADLOCK.lines().map(|l| format!("    {l}\n")).collect();
    let (facts, _) = run(&text);
    let dump = &facts.dumps[0];
    assert_eq!(
        (dump.threads, dump.java_threads, dump.jvm_reported_deadlocks),
        (6, 3, 1)
    );
    assert_eq!(dump.deadlocks[0].threads.len(), 2);
    assert_eq!(dump.most_contended_lock_count, 2);
}
