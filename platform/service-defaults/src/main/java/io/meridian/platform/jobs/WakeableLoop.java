package io.meridian.platform.jobs;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * A background thread that runs one pass of work, then waits for a wake-up or the poll interval, whichever comes
 * first. For work that must start at once when something is committed (the outbox relay, the mail sender) and still
 * catch up on its own if a wake-up was missed.
 */
public final class WakeableLoop {

    private static final Logger LOG = Logger.getLogger(WakeableLoop.class);

    private final String name;
    private final Duration interval;
    private final Runnable pass;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile Thread thread;

    public WakeableLoop(String name, Duration interval, Runnable pass) {
        this.name = name;
        this.interval = interval;
        this.pass = pass;
    }

    public void start() {
        Thread worker = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread = worker; // before start: the loop runs while it is the registered thread
        worker.start();
    }

    /** Stops the loop after its current pass, waiting a few seconds for it. */
    public void stop() {
        Thread worker = thread;
        thread = null;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void wakeUp() {
        wakeUps.release();
    }

    private void run() {
        while (thread == Thread.currentThread()) {
            try {
                pass.run();
            } catch (RuntimeException e) {
                LOG.warnf("%s: pass failed, next in %s: %s", name, interval, e.getMessage());
            }
            try {
                wakeUps.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
