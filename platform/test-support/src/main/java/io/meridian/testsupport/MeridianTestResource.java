package io.meridian.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real infrastructure behind every {@code @QuarkusTest} of a module: a Kafka broker started in-process on
 * free ports, a fresh schema in the local PostgreSQL (each behind a {@link TcpProxy} so that tests can take it
 * away), the local Redis, and a key pair whose public half the service trusts.
 * <p>
 * Register it once per module as a global resource (so that every test class sees Kafka), for example
 * {@code @WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL)}. The init
 * argument {@code schemaPrefix} names the schema (default {@code test}); {@code uses} lists what to start, among
 * {@code kafka,postgres,redis} (default all three), plus {@code cache-redis} for a Redis server of
 * the run's own holding cache data ({@link RedisServer}, as {@code quarkus.redis.cache.hosts}, behind a proxy), plus {@code search} for an OpenSearch node in a JVM of its own
 * ({@link SearchEngine}, its address in {@code meridian.rag.engine.hosts}, behind a proxy too), plus {@code jwks} to publish the keys as a JWKS over HTTP (as
 * auth-service does) instead of a PEM file, with a second key a test can publish through
 * {@code POST <meridian.test.jwks.url>/rotate} and sign with through {@link Tokens#signedWithSecondKey}.
 */
public class MeridianTestResource implements QuarkusTestResourceLifecycleManager {

    private String schemaPrefix = "test";
    private Set<String> uses = Set.of("kafka", "postgres", "redis");
    private KafkaBroker kafka;
    private TcpProxy kafkaProxy;
    private PostgresSchema schema;
    private TcpProxy postgresProxy;
    private TcpProxy redisProxy;
    private SearchEngine search;
    private TcpProxy searchProxy;
    private RedisServer cacheRedis;
    private TcpProxy cacheRedisProxy;
    private Path keysDir;
    private JwksServer jwks;
    private Infrastructure infrastructure;

    @Override
    public void init(Map<String, String> initArgs) {
        schemaPrefix = initArgs.getOrDefault("schemaPrefix", schemaPrefix);
        if (initArgs.containsKey("uses")) {
            uses = Set.of(initArgs.get("uses").split("\\s*,\\s*"));
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        if (uses.contains("kafka")) {
            int kafkaPort = FreePorts.next();
            int advertisedPort = FreePorts.next();
            kafkaProxy = TcpProxy.start("kafka", advertisedPort, "127.0.0.1", kafkaPort);
            kafka = KafkaBroker.startTemporary(kafkaPort, advertisedPort);
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        }
        if (uses.contains("postgres")) {
            schema = PostgresSchema.create(schemaPrefix);
            postgresProxy = TcpProxy.start("postgres", 0, PostgresSchema.host(), PostgresSchema.port());
            config.put("quarkus.datasource.jdbc.url", PostgresSchema.jdbcUrl("127.0.0.1", postgresProxy.port()));
            config.put("quarkus.datasource.username", PostgresSchema.user());
            config.put("quarkus.datasource.password", PostgresSchema.password());
            config.put("meridian.db.schema", schema.name());
        }

        if (uses.contains("search")) {
            search = SearchEngine.startTemporary();
            searchProxy = TcpProxy.start("opensearch", 0, "127.0.0.1", search.port());
            config.put("meridian.rag.engine.hosts", "http://127.0.0.1:" + searchProxy.port());
        }

        if (uses.contains("cache-redis")) {
            // cache data in a Redis of its own with a small budget, as deployments run it (ADR 0014)
            cacheRedis = RedisServer.start("128mb", "noeviction");
            cacheRedisProxy = TcpProxy.start("cache-redis", 0, "127.0.0.1", cacheRedis.port());
            config.put("quarkus.redis.cache.hosts", "redis://127.0.0.1:" + cacheRedisProxy.port());
        }

        // Redis stays the machine's own; the service reaches it through a proxy the tests can cut.
        java.net.URI redis = java.net.URI.create(System.getenv().getOrDefault("MERIDIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/1"));
        redisProxy = TcpProxy.start("redis", 0, redis.getHost(), redis.getPort() > 0 ? redis.getPort() : 6379);
        String redisUrl = "redis://127.0.0.1:" + redisProxy.port() + (redis.getPath() == null ? "" : redis.getPath());
        TestKeys keys;
        try {
            keysDir = Files.createTempDirectory("meridian-test-keys-");
            keys = TestKeys.generate(keysDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        infrastructure = new Infrastructure(kafka, kafkaProxy, schema, postgresProxy, redisProxy, redisUrl,
                search, searchProxy, cacheRedis, cacheRedisProxy);

        config.put("quarkus.redis.hosts", redisUrl);
        if (uses.contains("jwks")) {
            TestKeys second = TestKeys.generate(keysDir, "second");
            jwks = JwksServer.start(keys, second);
            config.put("mp.jwt.verify.publickey.location", jwks.url() + "/jwks.json");
            config.put("meridian.test.jwks.url", jwks.url());
            config.put("meridian.test.second-sign-key.location", second.privateKeyPem().toUri().toString());
        } else {
            config.put("mp.jwt.verify.publickey.location", keys.publicKeyPem().toUri().toString());
        }
        config.put("smallrye.jwt.sign.key.location", keys.privateKeyPem().toUri().toString());
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(infrastructure,
                new TestInjector.AnnotatedAndMatchesType(InjectInfrastructure.class, Infrastructure.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (kafkaProxy != null) {
            kafkaProxy.close();
        }
        if (postgresProxy != null) {
            postgresProxy.close();
        }
        if (redisProxy != null) {
            redisProxy.close();
        }
        if (searchProxy != null) {
            searchProxy.close();
        }
        if (cacheRedisProxy != null) {
            cacheRedisProxy.close();
        }
        if (cacheRedis != null) {
            cacheRedis.close();
        }
        if (search != null) {
            search.close();
        }
        if (jwks != null) {
            jwks.close();
        }
        if (schema != null) {
            schema.drop();
        }
        if (keysDir != null) {
            KafkaBroker.deleteRecursively(keysDir);
        }
    }
}
