package etl

import (
	"errors"
	"os"
	"path/filepath"
)

// atomicFile is a temporary file that becomes path on commit and vanishes
// on abort, so path never holds a partial write.
type atomicFile struct {
	f    *os.File
	path string
}

func createAtomic(path string) (*atomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &atomicFile{f: f, path: path}, nil
}

// commit syncs, closes and renames the file to its final path; on failure it
// removes the temporary file.
func (a *atomicFile) commit() error {
	err := a.f.Sync()
	if e := a.f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
	}
	return err
}

// abort closes and removes the temporary file.
func (a *atomicFile) abort() error {
	cerr := a.f.Close()
	rerr := os.Remove(a.f.Name())
	if errors.Is(cerr, os.ErrClosed) {
		cerr = nil
	}
	return errors.Join(cerr, rerr)
}
