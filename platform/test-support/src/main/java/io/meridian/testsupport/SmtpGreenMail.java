package io.meridian.testsupport;

import java.net.Socket;
import java.net.SocketException;
import java.util.Map;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * GreenMail's SMTP server on a loopback port, answering without Nagle delays. GreenMail writes a reply line and its
 * line end separately; with Nagle's algorithm on, the second write waits for the client's delayed ACK (40 ms here),
 * which made every SMTP command take 40 ms and hid the sender's own cost in benchmarks. A real relay does not do that.
 */
final class SmtpGreenMail extends GreenMail {

    SmtpGreenMail(int port) {
        super(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    }

    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
        return Map.of(ServerSetup.PROTOCOL_SMTP, new SmtpServer(config[0], managers) {
            @Override
            protected void handleClientSocket(Socket clientSocket) throws SocketException {
                clientSocket.setTcpNoDelay(true);
                super.handleClientSocket(clientSocket);
            }
        });
    }
}
