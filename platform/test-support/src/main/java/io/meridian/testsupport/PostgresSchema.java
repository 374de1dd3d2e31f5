package io.meridian.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh PostgreSQL schema for one test run, in the {@code meridian_test} database (created when missing), dropped
 * again on {@link #drop()}. The server is the real local PostgreSQL; host, port, user and password come from
 * {@code MERIDIAN_TEST_PG_HOST}, {@code _PORT}, {@code _USER}, {@code _PASSWORD} (defaults: 127.0.0.1, 5432,
 * postgres, none).
 */
public final class PostgresSchema {

    public static final String DATABASE = "meridian_test";

    private final String schema;

    private PostgresSchema(String schema) {
        this.schema = schema;
    }

    public static PostgresSchema create(String prefix) {
        String schema = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        ensureDatabase();
        execute(jdbcUrl(host(), port()), "create schema " + schema);
        return new PostgresSchema(schema);
    }

    public String name() {
        return schema;
    }

    public void drop() {
        execute(jdbcUrl(host(), port()), "drop schema if exists " + schema + " cascade");
    }

    public static String host() {
        return env("MERIDIAN_TEST_PG_HOST", "127.0.0.1");
    }

    public static int port() {
        return Integer.parseInt(env("MERIDIAN_TEST_PG_PORT", "5432"));
    }

    public static String user() {
        return env("MERIDIAN_TEST_PG_USER", "postgres");
    }

    public static String password() {
        return env("MERIDIAN_TEST_PG_PASSWORD", "");
    }

    public static String jdbcUrl(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
    }

    /** A direct connection (not through any proxy) for assertions on rows. */
    public Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(jdbcUrl(host(), port()), user(), password());
        try (Statement statement = connection.createStatement()) {
            statement.execute("set search_path to " + schema);
        }
        return connection;
    }

    private static void ensureDatabase() {
        String adminUrl = "jdbc:postgresql://" + host() + ":" + port() + "/postgres";
        try (Connection connection = DriverManager.getConnection(adminUrl, user(), password());
                Statement statement = connection.createStatement()) {
            var rs = statement.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
            if (!rs.next()) {
                statement.execute("create database " + DATABASE);
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another test JVM
                throw new IllegalStateException("PostgreSQL is not reachable at " + adminUrl
                        + " (start it, or set MERIDIAN_TEST_PG_HOST/PORT/USER/PASSWORD): " + e.getMessage(), e);
            }
        }
    }

    private static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user(), password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "' on " + url + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
