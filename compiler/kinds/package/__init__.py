"""The `package` kind (see compiler/kinds/base.py for what each stage module provides)."""
