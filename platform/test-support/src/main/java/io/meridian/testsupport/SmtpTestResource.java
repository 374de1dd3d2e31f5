package io.meridian.testsupport;

import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (GreenMail) on a free loopback port for services that send mail; tests receive it through
 * {@link InjectSmtp} to read what arrived.
 */
public class SmtpTestResource implements QuarkusTestResourceLifecycleManager {

    private GreenMail greenMail;

    @Override
    public Map<String, String> start() {
        greenMail = new GreenMail(new ServerSetup(FreePorts.next(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        return Map.of(
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", String.valueOf(greenMail.getSmtp().getPort()),
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.start-tls", "DISABLED");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(greenMail,
                new TestInjector.AnnotatedAndMatchesType(InjectSmtp.class, GreenMail.class));
    }

    @Override
    public void stop() {
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}
