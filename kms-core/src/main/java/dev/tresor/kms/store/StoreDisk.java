package dev.tresor.kms.store;

import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The two steps by which {@link RocksDbStore} makes a group durable: write it, then sync the
 * write-ahead log. Tests substitute steps that fail or hold.
 */
interface StoreDisk extends AutoCloseable {

    /** Writes {@code group} to the write-ahead log and the memtable, without waiting for the disk. */
    void write(RocksDB db, org.rocksdb.WriteBatch group) throws RocksDBException;

    /** Makes every write that returned before this call durable. */
    void sync(RocksDB db) throws RocksDBException;

    @Override
    void close();
}
