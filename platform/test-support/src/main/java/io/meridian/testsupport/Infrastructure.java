package io.meridian.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the global test resource started for this test run, handed to tests through
 * {@link InjectInfrastructure}: the Kafka broker, PostgreSQL schema, Redis and (where a module asked for it) the
 * OpenSearch node, each behind a proxy the test can cut.
 */
public final class Infrastructure {

    private final KafkaBroker kafka;
    private final TcpProxy kafkaProxy;
    private final PostgresSchema schema;
    private final TcpProxy postgresProxy;
    private final TcpProxy redisProxy;
    private final String redisUrl;
    private final SearchEngine search;
    private final TcpProxy searchProxy;
    private final TcpProxy cacheRedisProxy;
    private final RedisServer cacheRedis;

    Infrastructure(KafkaBroker kafka, TcpProxy kafkaProxy, PostgresSchema schema, TcpProxy postgresProxy,
            TcpProxy redisProxy, String redisUrl, SearchEngine search, TcpProxy searchProxy, RedisServer cacheRedis,
            TcpProxy cacheRedisProxy) {
        this.cacheRedis = cacheRedis;
        this.cacheRedisProxy = cacheRedisProxy;
        this.search = search;
        this.searchProxy = searchProxy;
        this.kafka = kafka;
        this.kafkaProxy = kafkaProxy;
        this.schema = schema;
        this.postgresProxy = postgresProxy;
        this.redisProxy = redisProxy;
        this.redisUrl = redisUrl;
    }

    /** The proxy between the service and Kafka: {@code cut()} it to take Kafka away. */
    public TcpProxy kafkaProxy() {
        return kafkaProxy;
    }

    /** The proxy between the service and PostgreSQL: {@code cut()} it to take the database away. */
    public TcpProxy postgresProxy() {
        return postgresProxy;
    }

    /** The proxy between the service and Redis: {@code cut()} it to take Redis away. */
    public TcpProxy redisProxy() {
        return redisProxy;
    }

    /** The proxy between cache-service and its Redis for cache data: {@code cut()} it to take that Redis away. */
    public TcpProxy cacheRedisProxy() {
        if (cacheRedisProxy == null) {
            throw new IllegalStateException("this module's tests did not start a Redis for cache data");
        }
        return cacheRedisProxy;
    }

    /** The Redis for cache data's own address, bypassing the proxy. */
    public String cacheRedisUrl() {
        if (cacheRedis == null) {
            throw new IllegalStateException("this module's tests did not start a Redis for cache data");
        }
        return cacheRedis.url();
    }

    /** The proxy between the service and the OpenSearch node: {@code cut()} it to take the engine away. */
    public TcpProxy searchProxy() {
        if (searchProxy == null) {
            throw new IllegalStateException("this module's tests did not start the search engine");
        }
        return searchProxy;
    }

    /** The OpenSearch node's own address, bypassing the proxy (for a test that looks inside the engine). */
    public String searchUrl() {
        if (search == null) {
            throw new IllegalStateException("this module's tests did not start the search engine");
        }
        return search.url();
    }

    public String bootstrapServers() {
        if (kafka == null) {
            throw new IllegalStateException("this module's tests did not start Kafka");
        }
        return kafka.bootstrapServers();
    }

    public String schema() {
        return schema.name();
    }

    public String redisUrl() {
        return redisUrl;
    }

    /** A direct database connection with the run's schema on the search path, bypassing the proxy. */
    public Connection database() throws SQLException {
        return schema.connect();
    }

    /** A client for reading and writing topics; it reaches the broker through the Kafka proxy. */
    public KafkaTestClient kafkaClient() {
        return new KafkaTestClient(bootstrapServers());
    }
}
