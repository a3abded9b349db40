from setuptools import setup

# Everything declarative lives in setup.cfg; the IDL directory at the top of
# the repository ships inside the installed package as ``notestore.idl``.
setup(
    package_dir={"notestore.idl": "idl"},
    packages=["notestore", "notestore.idl", "router", "shard"],
    package_data={"notestore.idl": ["*.thrift"]},
)
