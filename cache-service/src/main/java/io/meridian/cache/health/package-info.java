/** Health checks of cache-service beyond the ones Quarkus brings. */
package io.meridian.cache.health;
