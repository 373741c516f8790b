package cache

// ReadAside reads k the cache-aside way (lazy loading): look in the cache; on
// a miss call load — the database read — and, if it succeeds, Set the value so
// the next read hits. hit reports whether the cache answered. A failed load
// caches nothing and returns its error unchanged.
//
// Cost: a hit is one Get; a miss is a Get, the load and a Set. The cache is
// not locked during load, so concurrent misses on one key each call load (the
// "thundering herd" that groupcache's singleflight exists to collapse), and a
// write landing between the load and the Set can be overwritten by the older
// value just loaded — until its TTL or the next invalidation.
func (c *Cache[K, V]) ReadAside(k K, load func(K) (V, error)) (v V, hit bool, err error) {
	if v, ok := c.Get(k); ok {
		return v, true, nil
	}
	if load == nil {
		return v, false, errNoLoad
	}
	v, err = load(k)
	if err != nil {
		var zero V
		return zero, false, err
	}
	c.Set(k, v)
	return v, false, nil
}
