/**
 * email-service. Layers, the same in every service: {@code rest} (HTTP only: parse, call, map), {@code service} (the
 * rules and transactions), {@code domain} (entities and repositories), {@code messaging} (Kafka in and out),
 * {@code config} (typed settings), {@code health} (readiness checks beyond the built-in ones).
 */
package io.meridian.email;
