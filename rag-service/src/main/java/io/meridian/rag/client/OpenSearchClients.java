package io.meridian.rag.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.rag.config.RagConfig;

/**
 * The OpenSearch client (the project's official Java client over Apache HttpClient 5), from
 * {@code meridian.rag.engine.*}: the nodes, basic credentials and the CA to trust when the cluster speaks TLS, as
 * the operator's clusters do.
 */
@ApplicationScoped
public class OpenSearchClients {

    @Produces
    @Singleton
    OpenSearchClient client(RagConfig config) {
        RagConfig.Engine engine = config.engine();
        List<HttpHost> hosts = engine.hosts().stream().map(OpenSearchClients::host).toList();
        SSLContext tls = engine.caCertificate().filter(path -> !path.isBlank()).map(OpenSearchClients::trusting)
                .orElse(null);
        Timeout timeout = Timeout.of(engine.timeout());
        var transport = ApacheHttpClient5TransportBuilder.builder(hosts.toArray(HttpHost[]::new))
                .setMapper(new JacksonJsonpMapper(new ObjectMapper()))
                .setRequestConfigCallback(request -> request.setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout))
                .setHttpClientConfigCallback(client -> {
                    var connections = PoolingAsyncClientConnectionManagerBuilder.create()
                            .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5))
                                    .setSocketTimeout(timeout).build())
                            .setMaxConnTotal(32).setMaxConnPerRoute(32);
                    if (tls != null) {
                        connections.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).build());
                    }
                    client.setConnectionManager(connections.build());
                    if (engine.username().filter(user -> !user.isBlank()).isPresent()) {
                        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                        for (HttpHost host : hosts) {
                            credentials.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(
                                    engine.username().get(), engine.password().orElse("").toCharArray()));
                        }
                        client.setDefaultCredentialsProvider(credentials);
                    }
                    return client;
                })
                .build();
        return new OpenSearchClient(transport);
    }

    void close(@Disposes OpenSearchClient client) throws IOException {
        client._transport().close();
    }

    private static HttpHost host(String url) {
        URI uri = URI.create(url.strip());
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("meridian.rag.engine.hosts takes http:// or https:// URLs, not " + url);
        }
        return new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 9200);
    }

    /** A TLS context that trusts the certificates of a PEM file (the cluster's CA). */
    private static SSLContext trusting(String pemFile) {
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("meridian.rag.engine.ca-certificate: cannot read " + pemFile, e);
        }
    }
}
