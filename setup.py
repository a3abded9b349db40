from setuptools import find_packages, setup

# Everything declarative lives in setup.cfg; the IDL directory at the top of
# the repository ships inside the installed package as ``notestore.idl``.
setup(
    package_dir={"notestore.idl": "idl"},
    packages=[
        *find_packages(include=["notestore", "notestore.*", "router", "shard"]),
        "notestore.idl",
    ],
    package_data={"notestore.idl": ["*.thrift"]},
)
