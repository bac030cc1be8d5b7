"""citybase: the city digital foundation (城市数字底座) of Jiading District."""

__version__ = "0.1.0"
