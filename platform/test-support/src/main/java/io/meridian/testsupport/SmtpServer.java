package io.meridian.testsupport;

import com.icegreen.greenmail.util.GreenMail;

/** The test run's SMTP server: GreenMail to read what arrived, and the proxy in front of it to cut it off. */
public record SmtpServer(GreenMail mail, TcpProxy proxy) {
}
