package io.meridian.testsupport;

import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (GreenMail) on a free loopback port for services that send mail, behind a {@link TcpProxy} so
 * that tests can take it away. Tests receive both through {@link InjectSmtp} as an {@link SmtpServer}.
 */
public class SmtpTestResource implements QuarkusTestResourceLifecycleManager {

    private GreenMail greenMail;
    private TcpProxy proxy;

    @Override
    public Map<String, String> start() {
        greenMail = new SmtpGreenMail(FreePorts.next());
        greenMail.start();
        proxy = TcpProxy.start("smtp", 0, "127.0.0.1", greenMail.getSmtp().getPort());
        return Map.of(
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", String.valueOf(proxy.port()),
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.start-tls", "DISABLED");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(new SmtpServer(greenMail, proxy),
                new TestInjector.AnnotatedAndMatchesType(InjectSmtp.class, SmtpServer.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}
