package io.meridian.testsupport;

import com.icegreen.greenmail.util.GreenMail;

/** The test run's SMTP server: GreenMail to read what arrived, and the proxy in front of it to cut it off. */
public record SmtpServer(GreenMail mail, TcpProxy proxy) implements AutoCloseable {

    /** A GreenMail SMTP server on a free loopback port behind a proxy; send mail to {@code proxy().port()}. */
    public static SmtpServer start() {
        GreenMail mail = new SmtpGreenMail(FreePorts.next());
        mail.start();
        return new SmtpServer(mail, TcpProxy.start("smtp", 0, "127.0.0.1", mail.getSmtp().getPort()));
    }

    @Override
    public void close() {
        proxy.close();
        mail.stop();
    }
}
