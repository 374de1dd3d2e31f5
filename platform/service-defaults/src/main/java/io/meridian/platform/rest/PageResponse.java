package io.meridian.platform.rest;

import java.util.List;
import java.util.function.Function;

/** The list shape of every Meridian API: {@code {items, page, size, total}} (page from 0, size at most 100). */
public record PageResponse<T>(List<T> items, int page, int size, long total) {

    public static final int MAX_SIZE = 100;

    public static <E, T> PageResponse<T> of(List<E> items, Function<E, T> mapper, int page, int size, long total) {
        return new PageResponse<>(items.stream().map(mapper).toList(), page, size, total);
    }
}
