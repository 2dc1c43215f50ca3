import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.locks.*;

public class Scenarios {
    static final Object cache = new Object();
    static final Object a = new Object(), b = new Object();
    static final ReentrantLock rl = new ReentrantLock();
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        // 1. One thread holds a monitor in a busy loop; 8 workers block on it.
        Thread holder = new Thread(() -> { synchronized (cache) { while (true) { sink++; } } }, "exporter");
        holder.setDaemon(true); holder.start();
        Thread.sleep(200);
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> { synchronized (cache) { sink++; } }, "http-worker-" + i);
            t.setDaemon(true); t.start();
        }
        // 2. A two-thread monitor deadlock.
        Thread d1 = new Thread(() -> { synchronized (a) { sleep(300); synchronized (b) { sink++; } } }, "dl-A");
        Thread d2 = new Thread(() -> { synchronized (b) { sleep(300); synchronized (a) { sink++; } } }, "dl-B");
        d1.setDaemon(true); d2.setDaemon(true); d1.start(); d2.start();
        // 3. ReentrantLock held by a sleeper; 3 threads park on it.
        Thread rh = new Thread(() -> { rl.lock(); sleep(1_000_000); }, "rl-holder");
        rh.setDaemon(true); rh.start();
        Thread.sleep(100);
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> { rl.lock(); rl.unlock(); }, "rl-waiter-" + i);
            t.setDaemon(true); t.start();
        }
        // 4. An idle pool parked on its queue (not contention).
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) pool.submit(() -> sink++);
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "20000"));
        System.exit(0);
    }
    static void sleep(long ms) { try { Thread.sleep(ms); } catch (InterruptedException e) {} }
}
