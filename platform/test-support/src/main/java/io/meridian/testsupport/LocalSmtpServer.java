package io.meridian.testsupport;

import java.util.concurrent.CountDownLatch;

import com.icegreen.greenmail.util.GreenMail;

/**
 * The local stack's SMTP server, in its own JVM: {@code LocalSmtpServer <smtpPort>}. It accepts every message
 * and keeps it in memory, which is what a developer's machine needs; production uses a real relay.
 */
public final class LocalSmtpServer {

    private LocalSmtpServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 2525;
        GreenMail greenMail = new SmtpGreenMail(port);
        greenMail.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            greenMail.stop();
            stopped.countDown();
        }, "smtp-shutdown"));
        System.out.println("SMTP server ready on 127.0.0.1:" + port);
        stopped.await();
    }
}
